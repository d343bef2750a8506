// Where the Fashion-MNIST CNN training step spends its time, by primitive, eager (GradientTape) and
// traced (@chainrule/graph), on the wasm backend. Run on the built packages (`pnpm run build`):
//   node packages/backend-wasm/bench/profile-cnn.mjs [--steps N] [--js] [--no-conv] [--no-eager] [--threads 2]
// Times are CPU milliseconds of this process (one thread), robust to other jobs on the machine.
// Every kernel of the backend (built-in and defined primitives such as layer-conv's im2col) is wrapped in
// a timer; "outside kernels" is the step time not spent in any kernel (tape, autograd, graph fused
// elementwise groups, which do not run through the kernel table, and allocation).
// The traced step runs twice: on plans of JS arrays that every kernel copies into wasm memory and back
// ("copies", the path before resident plans) and on resident plans (buffers in wasm memory, read in place).
import * as np from "@chainrule/ndarray";
import * as optim from "@chainrule/optim";
import * as nn from "@chainrule/nn";
import * as conv from "@chainrule/layer-conv";
import * as graph from "@chainrule/graph";
import * as wasm from "../dist/index.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const STEPS = arg("--steps", 5);
const BATCH = 100;
const THREADS = arg("--threads", 1);
const useConvKernels = !process.argv.includes("--no-conv");
const base = process.argv.includes("--js")
  ? np.jsBackend
  : await wasm.createBackend({
      relaxedSimd: true,
      threads: THREADS,
      primitiveKernels: useConvKernels ? (await import("../dist/conv.js")).wasmConvKernels : undefined,
    });

// CPU time of this process, not wall time: 2 cores shared with other jobs make wall time unusable.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const times = new Map();
const timed = (name, fn) =>
  function (...args) {
    const t0 = cpuMs();
    try {
      return fn.apply(this, args);
    } finally {
      const t = times.get(name) ?? { ms: 0, calls: 0 };
      t.ms += cpuMs() - t0;
      t.calls++;
      times.set(name, t);
    }
  };

const all = np.kernelsOf(base);
const defined = [conv.im2col, conv.col2im, conv.maxPoolGather, conv.maxPoolScatter, conv.biasRelu];
const profiled = {
  name: `${base.name}-profiled`,
  residentMemory: base.residentMemory,
  kernels: Object.fromEntries(Object.entries(all).map(([k, f]) => [k, timed(k, f)])),
  primitiveKernels: np.primitiveKernels(
    ...defined.map((op) => np.primitiveKernel(op, timed(op.primitive.name, op.primitive.kernelFor(base)))),
  ),
  fused: Object.fromEntries(Object.entries(base.fused ?? {}).map(([k, f]) => [k, timed(`fused ${k}`, f)])),
};
const copying = { ...profiled, name: `${base.name}-profiled-copies`, residentMemory: undefined };
np.setBackend(profiled);
const copiedMb = () => {
  const s = wasm.copyStats();
  return (s.bytesIn + s.bytesOut) / 1e6;
};

function setup() {
  const model = conv.fashionCnn(0);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const rng = new np.Random(1);
  const x = rng.uniform([BATCH, 28, 28], 0, 1, "float32");
  const y = rng.randint(0, 10, [BATCH]);
  return { model, opt, x, y };
}

function profile(label, step) {
  for (let i = 0; i < 2; i++) step(); // warm-up (wasm tier-up, trace and plan)
  times.clear();
  const mb0 = copiedMb();
  const t0 = cpuMs();
  for (let i = 0; i < STEPS; i++) step();
  const total = (cpuMs() - t0) / STEPS;
  const mb = (copiedMb() - mb0) / STEPS;
  const rows = [...times].map(([k, t]) => [k, t.ms / STEPS, t.calls / STEPS]).sort((a, b) => b[1] - a[1]);
  const inKernels = rows.reduce((s, r) => s + r[1], 0);
  console.log(
    `\n### ${label}: ${total.toFixed(1)} CPU ms per step (batch ${BATCH}, mean of ${STEPS}), ` +
      `${mb.toFixed(1)} MB copied between JS and wasm memory per step\n`,
  );
  console.log("| primitive | ms / step | share | calls / step |\n|---|---:|---:|---:|");
  for (const [k, ms, calls] of rows) {
    if (ms / total < 0.002) continue;
    console.log(`| ${k} | ${ms.toFixed(1)} | ${((100 * ms) / total).toFixed(1)}% | ${calls} |`);
  }
  const rest = total - inKernels;
  console.log(`| outside kernels | ${rest.toFixed(1)} | ${((100 * rest) / total).toFixed(1)}% | |`);
}

if (!process.argv.includes("--no-eager")) {
  const { model, opt, x, y } = setup();
  profile(`eager (${base.name})`, () =>
    opt.minimize(() => nn.sparseSoftmaxCrossEntropy(model.call(x), y)).item(),
  );
}
for (const [label, backend] of [
  ["traced, copies", copying],
  ["traced, resident", profiled],
]) {
  np.setBackend(backend);
  const { model, opt, x, y } = setup();
  const run = graph.trace(
    (xi, yi) => {
      const loss = nn.sparseSoftmaxCrossEntropy(model.call(xi), yi);
      return { loss, train: graph.minimize(loss, opt) };
    },
    [graph.placeholder([BATCH, 28, 28], "float32", "x"), graph.placeholder([BATCH], "int32", "y")],
  );
  profile(`${label} (${base.name}, ${THREADS} thread${THREADS > 1 ? "s" : ""})`, () => run(x, y).loss.item());
}
await wasm.disposeBackend?.();
