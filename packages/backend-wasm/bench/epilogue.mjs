// The bias + ReLU epilogue of the Fashion-MNIST CNN's products, traced: `matmul(cols, w)` alone, then
// `relu(matmul(cols, w) + b)` as the graph runs it (one fused elementwise loop in JS), then layer-conv's
// `biasRelu` primitive on backend-wasm's kernel (one SIMD pass, copies included), and one bare wasm
// `biasAct` pass, which is also about what an epilogue inside the GEMM's stores would save at most.
// Shapes of its two convolutions and its hidden Dense layer (batch 100). On the built packages:
//   node packages/backend-wasm/bench/epilogue.mjs
// CPU milliseconds of this single-threaded process, median of rounds ("+": on top of the matmul).
import * as np from "@chainrule/ndarray";
import * as graph from "@chainrule/graph";
import { biasRelu } from "@chainrule/layer-conv";
import * as wasm from "../dist/index.js";
import { wasmConvKernels } from "../dist/conv.js";

np.setBackend(await wasm.createBackend({ relaxedSimd: true, primitiveKernels: wasmConvKernels }));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const shapes = [
  { name: "conv1 [78400, 9] · [9, 32]", m: 78400, k: 9, n: 32 },
  { name: "conv2 [19600, 288] · [288, 64]", m: 19600, k: 288, n: 64 },
  { name: "dense [100, 3136] · [3136, 128]", m: 100, k: 3136, n: 128 },
];

console.log("| product | matmul | + add + relu | + biasRelu | wasm biasAct pass |");
console.log("|---|---:|---:|---:|---:|");
for (const s of shapes) {
  const rng = new np.Random(1);
  const cols = rng.uniform([s.m, s.k], -1, 1, "float32");
  const w = rng.uniform([s.k, s.n], -1, 1, "float32");
  const b = rng.uniform([s.n], -1, 1, "float32");
  const inputs = [
    graph.placeholder([s.m, s.k], "float32", "cols"),
    graph.placeholder([s.k, s.n], "float32", "w"),
  ];
  const plain = graph.trace((x, v) => np.matmul(x, v), inputs);
  const unfused = graph.trace((x, v) => np.relu(np.add(np.matmul(x, v), b)), inputs);
  const fused = graph.trace((x, v) => biasRelu([np.matmul(x, v), b], {}), inputs);
  const y = new Float32Array(s.m * s.n);
  const bias = b.dataSync();
  const fns = {
    plain: () => plain(cols, w),
    unfused: () => unfused(cols, w),
    fused: () => fused(cols, w),
    biasAct: () => wasm.biasAct(y, bias, "relu", y),
  };
  const times = { plain: [], unfused: [], fused: [], biasAct: [] };
  for (const f of Object.values(fns)) (f(), f());
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, f] of Object.entries(fns)) {
      const t0 = cpuMs();
      f();
      times[name].push(cpuMs() - t0);
    }
  }
  const [p, u, f, a] = ["plain", "unfused", "fused", "biasAct"].map((k) => median(times[k]));
  const plus = (t) => `+${(t - p).toFixed(2)}`;
  console.log(`| ${s.name} | ${p.toFixed(2)} | ${plus(u)} | ${plus(f)} | ${a.toFixed(2)} |`);
}
