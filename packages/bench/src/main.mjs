// `pnpm bench`: chainrule side by side with TF.js (cpu, wasm) and PyTorch (when python3-torch is
// installed), in one run. Prints medians and ratios and writes bench-results/latest.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as ag from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import * as himmelblau from "./workloads/himmelblau.mjs";
import * as matmul from "./workloads/matmul.mjs";
import * as moons from "./workloads/moons.mjs";
import * as fashion from "./workloads/fashion.mjs";
import * as cnn from "./workloads/cnn.mjs";
import * as adam from "./workloads/adam.mjs";
import * as gpt from "./workloads/gpt.mjs";
import * as webgpu from "./workloads/webgpu.mjs";
import * as attention from "@chainrule/layer-attention";
import * as graph from "@chainrule/graph";
import * as nn from "@chainrule/nn";
import * as conv from "@chainrule/layer-conv";
import * as optim from "@chainrule/optim";
import * as wasm from "@chainrule/backend-wasm";
import * as graphBench from "../../graph/bench/eager-vs-traced.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.some((o) => name.startsWith(o));
const log = (...a) => console.error(...a);

async function loadTf(backend) {
  const tf = await import("@tensorflow/tfjs");
  if (backend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
  await tf.setBackend(backend);
  await tf.ready();
  return tf;
}

// Debian's python3-torch lives under /usr/bin/python3, which may not be the first python3 on PATH.
const PYTHONS = ["/usr/bin/python3", "python3"];

function torchResults() {
  for (const python of PYTHONS) {
    const result = runTorch(python);
    if (result) return result;
  }
  log("bench: PyTorch not available (apt-get install python3-torch libopenblas0-pthread to compare)");
  return undefined;
}

function runTorch(python) {
  try {
    const out = execFileSync(python, [join(here, "torch_bench.py"), "1"], {
      // torch.set_num_threads(1) does not reach Debian's pthread OpenBLAS, which otherwise runs matmul on
      // every core (measured here: 112–122 GFLOP/s at n = 512 against 70–74 on one thread). Pin it to one.
      env: {
        ...process.env,
        OMP_WAIT_POLICY: "PASSIVE",
        OPENBLAS_NUM_THREADS: "1",
        OMP_NUM_THREADS: "1",
        MKL_NUM_THREADS: "1",
      },
      stdio: ["ignore", "pipe", "ignore"],
    });
    const result = JSON.parse(out.toString());
    warnOnReferenceBlas(result.blas);
    return result;
  } catch {
    return undefined;
  }
}

// Debian's reference BLAS (libblas3) makes PyTorch's products ~15× slower than with OpenBLAS: the ratios would
// flatter chainrule. Say so loudly rather than print them silently.
function warnOnReferenceBlas(blas) {
  if (!/openblas|mkl|blis/i.test(blas ?? "")) {
    log(
      `bench: WARNING PyTorch runs on the BLAS at ${blas}, not an optimized one: its figures are far below ` +
        "its speed. Install OpenBLAS (apt-get install libopenblas0-pthread) and run again.",
    );
  }
}

const rows = [];
const row = (workload, unit, higherIsBetter, values) => rows.push({ workload, unit, higherIsBetter, values });

const tfBackends = {};
for (const b of ["cpu", "wasm"]) {
  try {
    tfBackends[b] = await loadTf(b);
  } catch (e) {
    log(`bench: TF.js ${b} backend unavailable: ${e.message}`);
  }
}
const withTf = async (b, fn) => {
  if (!tfBackends[b]) return undefined;
  await tfBackends[b].setBackend(b);
  return fn(tfBackends[b]);
};

// PyTorch has no row in `pnpm bench webgpu`: skip its (slow) run when only webgpu rows are asked for.
const torch = only.length > 0 && only.every((o) => o.startsWith("webgpu")) ? undefined : torchResults();

// chainrule on each of its backends: the reference TypeScript one and WebAssembly SIMD.
// The wasm backend as the demos run it: the FMA (relaxed-SIMD) build, which Node 20 enables with a V8 flag.
// It also runs layer-conv's window primitives (im2col, col2im, max pooling) in wasm.
const { wasmConvKernels } = await import("@chainrule/backend-wasm/conv");
const backends = {
  js: np.jsBackend,
  wasm: await wasm.createBackend({ relaxedSimd: true, primitiveKernels: wasmConvKernels }),
};
log(`bench: wasm backend ${JSON.stringify(wasm.backendInfo())}`);
function onBackend(name, fn) {
  const before = np.getBackend();
  np.setBackend(backends[name]);
  try {
    return fn();
  } finally {
    np.setBackend(before);
  }
}
async function onBackendAsync(name, fn) {
  const before = np.getBackend();
  np.setBackend(backends[name]);
  try {
    return await fn();
  } finally {
    np.setBackend(before);
  }
}
const onBoth = (fn) => ({ "chainrule js": onBackend("js", fn), "chainrule wasm": onBackend("wasm", fn) });

if (want("matmul")) {
  for (const n of matmul.sizes) {
    log(`bench: matmul n=${n}`);
    row(`matmul f32 n=${n}`, "GFLOP/s", true, {
      ...onBoth(() => matmul.chainrule(np, n)),
      "TF.js cpu": n <= 512 ? await withTf("cpu", (tf) => matmul.tfjs(tf, n)) : undefined,
      "TF.js wasm": await withTf("wasm", (tf) => matmul.tfjs(tf, n)),
      PyTorch: torch?.matmul?.[String(n)],
    });
  }
  // The ceiling of 128-bit wasm SIMD here (12 independent f32x4 multiply-add chains, no memory traffic),
  // measured interleaved with the n = 512 product it is quoted against.
  log("bench: f32x4 multiply-add peak");
  const vsPeak = onBackend("wasm", () => matmul.versusPeak(np, wasm));
  const fma = wasm.backendInfo().relaxedSimd ? "FMA" : "mul+add";
  row(`f32x4 ${fma} peak, 1 thread (register-only loop)`, "GFLOP/s", true, { "chainrule wasm": vsPeak.peak });
  row(`matmul f32 n=512 as % of that peak`, "%", true, {
    "chainrule wasm": (100 * vsPeak.matmul) / vsPeak.peak,
  });
  // The same products split over two threads (the calling thread and one worker claiming units of the
  // product as it gets CPU), with the share of units the worker took.
  await wasm.initThreads({ threads: 2 });
  for (const n of matmul.sizes.filter((s) => s >= 256)) {
    log(`bench: matmul n=${n}, 2 threads`);
    const before = wasm.threadStats();
    const gflops = onBackend("wasm", () => matmul.chainrule(np, n));
    const after = wasm.threadStats();
    const share = (after.workerUnits - before.workerUnits) / Math.max(1, after.units - before.units);
    row(`matmul f32 n=${n}, 2 threads`, "GFLOP/s", true, { "chainrule wasm": gflops, PyTorch: undefined });
    row(`  worker's share of its units`, "%", true, { "chainrule wasm": 100 * share });
  }
  await wasm.shutdownThreads();
}
if (want("himmelblau")) {
  log("bench: himmelblau");
  row("Himmelblau gradient step", "µs", false, {
    ...onBoth(() => himmelblau.chainrule(np, ag)),
    "TF.js cpu": await withTf("cpu", (tf) => himmelblau.tfjs(tf)),
    "TF.js wasm": await withTf("wasm", (tf) => himmelblau.tfjs(tf)),
    PyTorch: torch?.himmelblau,
  });
}
if (want("moons")) {
  log("bench: moons");
  const peers = {
    "TF.js cpu": await withTf("cpu", (tf) => moons.tfjs(tf)),
    "TF.js wasm": await withTf("wasm", (tf) => moons.tfjs(tf)),
    PyTorch: torch?.moons,
  };
  row("moons 2-25-50-25-2 SGD, batch 1 (eager)", "µs/step", false, {
    ...onBoth(() => moons.chainrule(np, ag)),
    ...peers,
  });
  const traced = {
    js: onBackend("js", () => graphBench.moons()),
    wasm: onBackend("wasm", () => graphBench.moons()),
  };
  row("moons 2-25-50-25-2 SGD, batch 1 (traced)", "µs/step", false, {
    "chainrule js": traced.js.traced,
    "chainrule wasm": traced.wasm.traced,
    ...peers,
  });
}
if (want("fashion")) {
  log("bench: fashion");
  const peers = {
    "TF.js cpu": await withTf("cpu", (tf) => fashion.tfjs(tf)),
    "TF.js wasm": await withTf("wasm", (tf) => fashion.tfjs(tf)),
    PyTorch: torch?.fashion,
  };
  row("Fashion-MNIST MLP epoch (eager)", "s", false, {
    ...onBoth(() => fashion.chainrule(np, ag, optim)),
    ...peers,
  });
  const traced = {
    js: onBackend("js", () => graphBench.fashion()),
    wasm: onBackend("wasm", () => graphBench.fashion()),
  };
  row("Fashion-MNIST MLP epoch (traced)", "s", false, {
    "chainrule js": (traced.js.traced / 1000) * fashion.STEPS_PER_EPOCH,
    "chainrule wasm": (traced.wasm.traced / 1000) * fashion.STEPS_PER_EPOCH,
    ...peers,
  });
  // The same traced step with the batch's large products split over two threads (PyTorch stays on one).
  await wasm.initThreads({ threads: 2 });
  const traced2 = onBackend("wasm", () => graphBench.fashion());
  await wasm.shutdownThreads();
  row("Fashion-MNIST MLP epoch (traced, 2 threads)", "s", false, {
    "chainrule wasm": (traced2.traced / 1000) * fashion.STEPS_PER_EPOCH,
    ...peers,
  });
}

if (want("adam")) {
  log("bench: adam");
  row("Adam update, 244,522 float32 parameters", "ms", false, {
    ...onBoth(() => adam.chainrule(np, ag, optim)),
    "TF.js cpu": await withTf("cpu", (tf) => adam.tfjs(tf)),
    "TF.js wasm": await withTf("wasm", (tf) => adam.tfjs(tf)),
    PyTorch: torch?.adam,
  });
}
if (want("gpt")) {
  log("bench: gpt");
  const peer = { PyTorch: torch?.gpt };
  row("makemore GPT training step (eager), 2 blocks, dim 32", "tokens/s", true, {
    ...onBoth(() => gpt.eager(np, nn, attention, optim)),
    ...peer,
  });
  row("makemore GPT training step (traced), 2 blocks, dim 32", "tokens/s", true, {
    ...onBoth(() => gpt.traced(np, nn, attention, optim, graph)),
    ...peer,
  });
  // The same steps with weights and AdamW state on the GPU (SwiftShader without one: CPU emulation: no peer
  // ratio on these rows, where PyTorch runs on the CPU).
  const gpu = await webgpu
    .installDawn()
    .then(async (dawn) => (await import("@chainrule/backend-webgpu")).createWebGpuBackend({ gpu: dawn }))
    .catch((e) => log(`bench: no webgpu row for gpt: ${e.message}`));
  const where =
    gpu && `webgpu on ${gpu.adapter}${/swiftshader/i.test(gpu.adapter) ? " (CPU emulation)" : ""}`;
  if (gpu) backends.webgpu = gpu;
  const kinds = [
    ["eager", gpt.eagerWebGpu],
    ["traced", gpt.tracedWebGpu],
  ];
  for (const [kind, f] of gpu ? kinds : []) {
    log(`bench: gpt ${kind}, ${where}`);
    const onGpu = await onBackendAsync("webgpu", () => f(np, nn, attention, optim, graph));
    row(`makemore GPT training step (${kind}), 2 blocks, dim 32, ${where}`, "tokens/s", true, {
      "chainrule webgpu": onGpu,
    });
  }
}
if (want("cnn")) {
  log("bench: cnn");
  const peers = {
    // TF.js cpu needs ~95 s per step here (over 15 hours an epoch): measured once by hand, not in every run.
    "TF.js cpu": undefined,
    "TF.js wasm": await withTf("wasm", (tf) => cnn.tfjs(tf)),
    PyTorch: torch?.cnn,
  };
  row("Fashion-MNIST CNN epoch (eager)", "s", false, {
    ...onBoth(() => cnn.chainrule(np, optim, nn, conv)),
    ...peers,
  });
  log("bench: cnn traced");
  row("Fashion-MNIST CNN epoch (traced)", "s", false, {
    "chainrule wasm": onBackend("wasm", () => cnn.traced(np, optim, nn, conv, graph)),
    ...peers,
  });
  // As the app runs it: traced, large products over two threads.
  await wasm.initThreads({ threads: 2 });
  row("Fashion-MNIST CNN epoch (traced, 2 threads)", "s", false, {
    "chainrule wasm": onBackend("wasm", () => cnn.traced(np, optim, nn, conv, graph)),
    ...peers,
  });
  await wasm.shutdownThreads();
}

if (want("webgpu") || only.includes("webgpu-cnn")) {
  // chainrule's WebGPU backend and TF.js's, on the same Dawn adapter (SwiftShader without a GPU: emulation).
  const dawn = await webgpu.installDawn();
  const { createWebGpuBackend } = await import("@chainrule/backend-webgpu");
  backends.webgpu = await createWebGpuBackend({
    gpu: dawn,
    conv: {
      im2col: conv.im2col,
      col2im: conv.col2im,
      maxPoolGather: conv.maxPoolGather,
      maxPoolScatter: conv.maxPoolScatter,
      biasRelu: conv.biasRelu,
    },
  });
  const label = `webgpu on ${backends.webgpu.adapter}${/swiftshader/i.test(backends.webgpu.adapter) ? " (CPU emulation)" : ""}`;
  log(`bench: ${label}`);
  let tfGpu;
  try {
    const tf = await import("@tensorflow/tfjs");
    await import("@tensorflow/tfjs-backend-webgpu");
    if (!(await tf.setBackend("webgpu"))) throw new Error("setBackend('webgpu') returned false");
    await tf.ready();
    tfGpu = tf;
  } catch (e) {
    log(`bench: TF.js webgpu backend unavailable: ${e.message}`);
  }
  const onGpu = async (fn) => {
    const before = np.getBackend();
    np.setBackend(backends.webgpu);
    try {
      return await fn();
    } finally {
      np.setBackend(before);
    }
  };
  const withTfGpu = async (fn) => (tfGpu ? (await tfGpu.setBackend("webgpu"), fn(tfGpu)) : undefined);
  for (const n of webgpu.MATMUL_SIZES) {
    log(`bench: webgpu matmul n=${n}`);
    row(`matmul f32 n=${n}, ${label}`, "GFLOP/s", true, {
      "chainrule webgpu": await onGpu(() => webgpu.chainruleMatmul(np, n)),
      "TF.js webgpu": await withTfGpu((tf) => webgpu.tfjsMatmul(tf, n)),
    });
  }
  log("bench: webgpu fashion step");
  row(`Fashion-MNIST MLP step (eager, batch 100), ${label}`, "s/step", false, {
    "chainrule webgpu": await onGpu(() => webgpu.chainruleFashionStep(np, ag, optim)),
    "TF.js webgpu": await withTfGpu((tf) => webgpu.tfjsFashionStep(tf)),
  });
  // 30–60 s per step on SwiftShader here (see the README), so only when asked for: `pnpm bench webgpu-cnn`.
  if (only.includes("webgpu-cnn")) log("bench: webgpu cnn step");
  if (only.includes("webgpu-cnn"))
    row(`Fashion-MNIST CNN step (eager, batch 100), ${label}`, "s/step", false, {
      "chainrule webgpu": await onGpu(() => webgpu.chainruleCnnStep(np, optim, nn, conv)),
      "TF.js webgpu": await withTfGpu((tf) => webgpu.tfjsCnnStep(tf)),
    });
  if (only.includes("webgpu-cnn"))
    row(`Fashion-MNIST CNN step (traced, batch 100), ${label}`, "s/step", false, {
      "chainrule webgpu": await onGpu(() => webgpu.chainruleCnnTracedStep(np, optim, nn, conv, graph)),
      "TF.js webgpu": rows.at(-1).values["TF.js webgpu"],
    });
}

// Print: values, then how many times faster chainrule's best is than each peer (>1 = chainrule wins).
const columns = [...new Set(rows.flatMap((r) => Object.keys(r.values)))];
const ours = columns.filter((c) => c.startsWith("chainrule"));
const peers = columns.filter((c) => !c.startsWith("chainrule"));
const fmt = (v) => (v === undefined ? "—" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const header = ["workload", "unit", ...columns, ...peers.map((p) => `× vs ${p}`)];
const lines = rows.map((r) => {
  const bestOurs = ours.map((c) => r.values[c]).filter((v) => v !== undefined);
  const best = r.higherIsBetter ? Math.max(...bestOurs) : Math.min(...bestOurs);
  const ratios = peers.map((p) => {
    const v = r.values[p];
    if (v === undefined) return "—";
    return (r.higherIsBetter ? best / v : v / best).toFixed(2) + "×";
  });
  return [r.workload, r.unit, ...columns.map((c) => fmt(r.values[c])), ...ratios];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
const print = (cells) =>
  console.log("| " + cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ") + " |");
print(header);
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
lines.forEach(print);
console.log("\n× vs peer: how many times faster chainrule (its best backend) is; > 1 means chainrule wins.");

const outDir = join(here, "..", "..", "..", "bench-results");
mkdirSync(outDir, { recursive: true });
const result = {
  date: new Date().toISOString(),
  node: process.version,
  wasm: wasm.backendInfo(),
  torch: torch && { version: torch.version, threads: torch.threads, blas: torch.blas },
  rows,
};
// Written beside the target and renamed: a killed run never leaves half a results file.
const tmp = join(outDir, `.latest.json.${process.pid}.tmp`);
writeFileSync(tmp, JSON.stringify(result, null, 2));
renameSync(tmp, join(outDir, "latest.json"));
console.log(`wrote ${join(outDir, "latest.json")}`);
