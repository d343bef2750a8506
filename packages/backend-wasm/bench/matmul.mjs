// Matmul micro-benchmark on the built package (`pnpm --filter @chainrule/backend-wasm build`):
//   node packages/backend-wasm/bench/matmul.mjs [--relaxed] [--fashion] [sizes...]
// --relaxed uses the opt-in relaxed-SIMD (FMA) build. --fashion times the float32 products of a
// Fashion-MNIST MLP training step (batch 100, 784-256-128-64-32-10) instead of square sizes. Times the public gemm call, copies into
// and out of wasm memory included; warms up first (V8 starts wasm on its baseline compiler),
// interleaves the configurations and prints the median of several rounds.
// BENCH_CPU=1 adds GFLOP per CPU-second; BENCH_ROUNDS / BENCH_ROUND_MS change the sampling.
import {
  DEFAULT_THREAD_MIN_FLOPS,
  backendInfo,
  gemm,
  initBackend,
  initThreads,
  shutdownThreads,
} from "../dist/index.js";

const relaxed = process.argv.includes("--relaxed");
const fashion = process.argv.includes("--fashion");
const sizes = process.argv.slice(2).map(Number).filter(Boolean);
if (sizes.length === 0) sizes.push(128, 256, 512, 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 150);

const configs = [
  { name: "f32 1 thread", dtype: "float32", threaded: false },
  { name: "f32 2 threads", dtype: "float32", threaded: true },
  { name: "f64 1 thread", dtype: "float64", threaded: false },
  { name: "f64 2 threads", dtype: "float64", threaded: true },
];

function operands(dtype, n) {
  const Ctor = dtype === "float32" ? Float32Array : Float64Array;
  const a = new Ctor(n * n);
  const b = new Ctor(n * n);
  for (let i = 0; i < a.length; i++) {
    a[i] = Math.random() - 0.5;
    b[i] = Math.random() - 0.5;
  }
  return { a, b, c: new Ctor(n * n) };
}

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

await initBackend({ relaxedSimd: relaxed });
const threads = await initThreads({ threads: 2 });
console.log(
  `threads: ${threads}; relaxed SIMD: ${backendInfo().relaxedSimd}; rounds: ${ROUNDS} × ~${ROUND_MS} ms; node ${process.version}`,
);
// Times `run` under each config (interleaved rounds) and returns "median (best)" GFLOP/s cells.
async function measure(flops, configs, run) {
  const use = async (cfg) =>
    initThreads({ threads: 2, minFlops: cfg.minFlops ?? (cfg.threaded ? 0 : Infinity) });
  // Warm-up: enough calls for V8 to tier the kernels up to its optimizing compiler.
  for (const cfg of configs) {
    await use(cfg);
    const until = performance.now() + 300;
    while (performance.now() < until) run(cfg);
  }
  const reps = Object.fromEntries(configs.map((c) => [c.name, 1]));
  const rates = Object.fromEntries(configs.map((c) => [c.name, []]));
  const cpuRates = Object.fromEntries(configs.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const cfg of configs) {
      await use(cfg);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < reps[cfg.name]; i++) run(cfg);
      const ms = (performance.now() - t0) / reps[cfg.name];
      const cpu = process.cpuUsage(cpu0);
      rates[cfg.name].push(flops / ms / 1e6);
      cpuRates[cfg.name].push((flops * reps[cfg.name]) / (cpu.user + cpu.system) / 1e3);
      reps[cfg.name] = Math.max(1, Math.round(ROUND_MS / ms));
    }
  }
  // "median (best)": on a shared machine the best round shows what an idle core gives.
  const row = configs.map((cfg) =>
    cfg.threaded && threads < 2
      ? "n/a"
      : `${median(rates[cfg.name]).toFixed(1)} (${Math.max(...rates[cfg.name]).toFixed(1)})`,
  );
  // Work per CPU-second of this process (all threads): on a loaded machine this shows the
  // kernels' own speed for 1 thread, and parallel efficiency for 2.
  const cpuRow = configs.map((cfg) => `${median(cpuRates[cfg.name]).toFixed(1)}/cpu-s`);
  return { row, cpuRow };
}

if (fashion) {
  // [label, transA, transB, m, n, k]: forward X·W, then dX = dY·Wᵀ and dW = Xᵀ·dY per layer.
  const layers = [784, 256, 128, 64, 32, 10];
  const B = 100;
  const shapes = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const [i, o] = [layers[l], layers[l + 1]];
    shapes.push([`fwd ${B}x${i}·${i}x${o}`, false, false, B, o, i]);
    shapes.push([`dX ${B}x${o}·(${i}x${o})ᵀ`, false, true, B, i, o]);
    shapes.push([`dW (${B}x${i})ᵀ·${B}x${o}`, true, false, i, o, B]);
  }
  const fcfgs = [
    { name: "1 thread", threaded: false },
    { name: "2 threads", threaded: true },
    { name: "auto", threaded: true, minFlops: DEFAULT_THREAD_MIN_FLOPS },
  ];
  console.log(["shape".padEnd(24), ...fcfgs.map((c) => c.name.padStart(16))].join(""));
  const step = Object.fromEntries(fcfgs.map((c) => [c.name, 0]));
  for (const [label, transA, transB, m, n, k] of shapes) {
    const a = Float32Array.from({ length: m * k }, () => Math.random() - 0.5);
    const b = Float32Array.from({ length: k * n }, () => Math.random() - 0.5);
    const c = new Float32Array(m * n);
    const run = () =>
      gemm("float32", transA, transB, m, n, k, 1, a, 0, transA ? m : k, b, 0, transB ? k : n, 0, c, 0, n);
    const { row, cpuRow } = await measure(2 * m * n * k, fcfgs, run);
    console.log([label.padEnd(24), ...row.map((s) => s.padStart(16))].join(""));
    if (process.env.BENCH_CPU) console.log(["".padEnd(24), ...cpuRow.map((s) => s.padStart(16))].join(""));
    fcfgs.forEach((cfg, i) => (step[cfg.name] += (2 * m * n * k) / 1e6 / parseFloat(row[i])));
  }
  const total = fcfgs.map((cfg) => `${step[cfg.name].toFixed(3)} ms`);
  console.log(["all 15 (one step)".padEnd(24), ...total.map((s) => s.padStart(16))].join(""));
  console.log("GFLOP/s: median over rounds (best round); last row: sum of median times");
  await shutdownThreads();
  process.exit(0);
}

console.log(["n", ...configs.map((c) => c.name)].map((s) => s.padStart(16)).join(""));
for (const n of sizes) {
  const flops = 2 * n ** 3;
  const data = { float32: operands("float32", n), float64: operands("float64", n) };
  const run = (cfg) => {
    const { a, b, c } = data[cfg.dtype];
    gemm(cfg.dtype, false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n);
  };
  const { row, cpuRow } = await measure(flops, configs, run);
  console.log([String(n), ...row].map((s) => s.padStart(16)).join(""));
  if (process.env.BENCH_CPU) console.log(["", ...cpuRow].map((s) => s.padStart(16)).join(""));
}
console.log("GFLOP/s: median over rounds (best round)");
await shutdownThreads();
