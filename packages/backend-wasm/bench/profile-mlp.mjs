// The Fashion-MNIST MLP training step (784-256-128-64-32-10 relu, softmax cross-entropy, Adam 1e-3, batch 100:
// the `pnpm bench fashion` workload), eager and traced, on the wasm backend as main had it before the wasm
// reductions and fused groups ("before": matmul, arithmetic elementwise ops from 16,384 elements, Adam) and as
// it is now, and now without resident plans ("copies": the traced step's buffers in JS arrays, which every
// kernel copies into wasm memory and back, as before resident plans). The configurations run
// interleaved in one process, so load from other jobs hits them alike; times are CPU ms of this process.
// Run on the built packages (`pnpm run build`): node packages/backend-wasm/bench/profile-mlp.mjs [--rounds N]
import * as np from "@chainrule/ndarray";
import * as ag from "@chainrule/autograd";
import * as optim from "@chainrule/optim";
import { compileTrainStep, placeholder } from "@chainrule/graph";
import { createBackend, WASM_BINARY, WASM_UNARY, wasmBinaryKernel, wasmUnaryKernel } from "../dist/index.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg("--rounds", 7);
const STEPS = 3;
const SIZES = [784, 256, 128, 64, 32, 10];
const BATCH = 100;
// main before this work: the exactly rounded arithmetic ops in wasm from 16,384 elements, comparisons, cast,
// where and reductions on the reference kernels, no compileElementwise.
const COMPARE = ["eq", "ne", "lt", "le", "gt", "ge"];
const OLD_MIN_SIZE = 16384;
const oldElementwise = {
  ...Object.fromEntries(
    Object.keys(WASM_UNARY)
      .filter((op) => WASM_UNARY[op])
      .map((op) => [op, wasmUnaryKernel(op, OLD_MIN_SIZE)]),
  ),
  ...Object.fromEntries(
    Object.keys(WASM_BINARY)
      .filter((op) => WASM_BINARY[op] && !COMPARE.includes(op))
      .map((op) => [op, wasmBinaryKernel(op, OLD_MIN_SIZE)]),
  ),
};

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const now = await createBackend({ relaxedSimd: true });
const before = {
  ...now,
  name: "wasm-before",
  kernels: { ...oldElementwise, matmul: now.kernels.matmul },
  compileElementwise: undefined,
  residentMemory: undefined,
};
const copies = { ...now, name: "wasm-copies", residentMemory: undefined };

function layers(seed) {
  const rng = new np.Random(seed);
  return SIZES.slice(1).map((out, i) => ({
    w: new ag.Variable(rng.normal([SIZES[i], out], 0, Math.sqrt(2 / SIZES[i]), "float32")),
    b: new ag.Variable(np.zeros([out])),
  }));
}
function loss(ls, x, t) {
  let h = x;
  ls.forEach((l, i) => {
    h = np.matmul(h, l.w).add(l.b);
    if (i < ls.length - 1) h = np.relu(h);
  });
  return np.mean(np.sum(np.logSoftmax(h).mul(t), -1).neg());
}

const rng = new np.Random(3);
const x = rng.uniform([BATCH, 784], 0, 1, "float32");
const t = np.oneHot(rng.randint(0, 10, [BATCH]), 10);

function steps(backend) {
  np.setBackend(backend);
  const eagerLayers = layers(0);
  const opt = new optim.Adam(
    eagerLayers.flatMap((l) => [l.w, l.b]),
    { lr: 1e-3 },
  );
  const tracedLayers = layers(0);
  const traced = compileTrainStep({
    loss: (xb, tb) => loss(tracedLayers, xb, tb),
    inputs: [placeholder([BATCH, 784], "float32", "x"), placeholder([BATCH, 10], "float32", "t")],
    optimizer: new optim.Adam(
      tracedLayers.flatMap((l) => [l.w, l.b]),
      { lr: 1e-3 },
    ),
  });
  return {
    eager: () => opt.minimize(() => loss(eagerLayers, x, t)),
    traced: () => traced(x, t),
    traced$: traced,
  };
}

const configs = { before: steps(before), copies: steps(copies), now: steps(now) };
const times = {};
for (let round = -2; round < ROUNDS; round++) {
  for (const [name, backend] of [
    ["before", before],
    ["copies", copies],
    ["now", now],
  ]) {
    np.setBackend(backend);
    for (const mode of ["eager", "traced"]) {
      const t0 = cpuMs();
      for (let i = 0; i < STEPS; i++) configs[name][mode]();
      if (round >= 0) (times[`${mode} ${name}`] ??= []).push((cpuMs() - t0) / STEPS);
    }
  }
}
console.log(`CPU ms per step, median of ${ROUNDS} rounds of ${STEPS} steps:`);
for (const mode of ["eager", "traced"]) {
  const b = median(times[`${mode} before`]);
  const c = median(times[`${mode} copies`]);
  const n = median(times[`${mode} now`]);
  console.log(
    `  ${mode.padEnd(7)} before ${b.toFixed(2).padStart(7)}   copies ${c.toFixed(2).padStart(7)}   now ${n.toFixed(2).padStart(7)}` +
      `   before/now ×${(b / n).toFixed(2)}   copies/now ×${(c / n).toFixed(2)}`,
  );
}
np.setBackend(now);
console.log("\ntraced plan on the wasm backend now:\n" + configs.now.traced$.plan().toString());
