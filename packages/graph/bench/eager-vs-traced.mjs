// Eager vs traced training steps, on the built packages:
//   pnpm --filter "@chainrule/graph..." build && node packages/graph/bench/eager-vs-traced.mjs [moons] [fashion]
// Prints the median time per step of each variant, with trials interleaved so that load changes on the
// shared machines hit every variant alike, and the median per-trial speedup; with --json, one JSON line
// per workload (for scripts/bench.mjs).
import { pathToFileURL } from "node:url";
import * as np from "@chainrule/ndarray";
import * as ag from "@chainrule/autograd";
import * as optim from "@chainrule/optim";
import { compileTrainStep, GradientDescentOptimizer, placeholder } from "../dist/index.js";

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Median seconds per call of each function. Trials are interleaved (a trial of each in turn, `trials`
 * times) so that load changes on a shared machine hit every variant alike; `ratio` is the median of the
 * per-trial ratios first / others.
 */
function compare(fns, { iters, trials = 9, warmup = iters }) {
  const names = Object.keys(fns);
  for (const n of names) for (let i = 0; i < warmup; i++) fns[n]();
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let t = 0; t < trials; t++) {
    for (const n of names) {
      const it = typeof iters === "number" ? iters : iters[n];
      const t0 = performance.now();
      for (let i = 0; i < it; i++) fns[n]();
      times[n].push((performance.now() - t0) / 1000 / it);
    }
  }
  const out = Object.fromEntries(names.map((n) => [n, median(times[n])]));
  out.ratios = Object.fromEntries(
    names.slice(1).map((n) => [n, median(times[names[0]].map((e, t) => e / times[n][t]))]),
  );
  return out;
}

const MOONS = [2, 25, 50, 25, 2];

function moonsLayers(seed) {
  const rng = new np.Random(seed);
  return MOONS.slice(1).map((out, i) => ({
    w: new ag.Variable(rng.normal([MOONS[i], out], 0, Math.sqrt(1 / MOONS[i]), "float32")),
    b: new ag.Variable(np.zeros([out])),
  }));
}

function moonsForward(layers, x, t) {
  let h = x;
  for (const l of layers) h = np.sigmoid(np.matmul(h, l.w).add(l.b));
  return np.mean(h.sub(t).square());
}

/** Per-sample SGD on the 2-25-50-25-2 sigmoid network with MSE, lr 0.01 (µs per step). */
export function moons() {
  // A stream of samples, as per-sample SGD sees them.
  const rng = new np.Random(1);
  const xs = Array.from({ length: 64 }, () => rng.uniform([1, 2], -1, 1, "float32"));
  const ts = xs.map((x) => (x.dataSync()[0] > 0 ? np.array([[1, 0]]) : np.array([[0, 1]])));
  let k = 0;
  const next = () => (k = (k + 1) & 63);

  // Eager, as packages/bench's moons workload: a tape, then p ← p − 0.01·g with array ops.
  const eagerLayers = moonsLayers(0);
  const eagerParams = eagerLayers.flatMap((l) => [l.w, l.b]);
  const eagerStep = () => {
    const i = next();
    const tape = new ag.GradientTape();
    const loss = tape.record(() => moonsForward(eagerLayers, xs[i], ts[i]));
    const grads = tape.gradient(loss, eagerParams);
    ag.noGrad(() => eagerParams.forEach((p, j) => p.assign(p.sub(grads[j].mul(0.01)))));
  };

  // Eager with @chainrule/optim's SGD (in-place typed-array update).
  const sgdLayers = moonsLayers(0);
  const sgdParams = sgdLayers.flatMap((l) => [l.w, l.b]);
  const sgd = new optim.SGD(sgdParams, { lr: 0.01 });
  const eagerSgdStep = () => {
    const i = next();
    const tape = new ag.GradientTape();
    const loss = tape.record(() => moonsForward(sgdLayers, xs[i], ts[i]));
    sgd.step(tape.gradient(loss, sgdParams));
  };

  // Traced: forward, backward and update in one planned graph.
  const tracedLayers = moonsLayers(0);
  const traced = compileTrainStep({
    loss: (x, t) => moonsForward(tracedLayers, x, t),
    inputs: [placeholder([1, 2], "float32", "x"), placeholder([1, 2], "float32", "t")],
    optimizer: new GradientDescentOptimizer(0.01),
  });
  const tracedStep = () => {
    const i = next();
    traced(xs[i], ts[i]);
  };

  const optLayers = moonsLayers(0);
  const optParams = optLayers.flatMap((l) => [l.w, l.b]);
  const tracedSgd = compileTrainStep({
    loss: (x, t) => moonsForward(optLayers, x, t),
    inputs: [placeholder([1, 2], "float32", "x"), placeholder([1, 2], "float32", "t")],
    optimizer: new optim.SGD(optParams, { lr: 0.01 }),
  });
  const tracedSgdStep = () => {
    const i = next();
    tracedSgd(xs[i], ts[i]);
  };

  const r = compare(
    { eager: eagerStep, eagerOptimSgd: eagerSgdStep, traced: tracedStep, tracedOptimSgd: tracedSgdStep },
    { iters: { eager: 500, eagerOptimSgd: 500, traced: 3000, tracedOptimSgd: 3000 }, warmup: 2000 },
  );
  const us = (s) => s * 1e6;
  return {
    eager: us(r.eager),
    eagerOptimSgd: us(r.eagerOptimSgd),
    traced: us(r.traced),
    tracedOptimSgd: us(r.tracedOptimSgd),
    speedup: r.ratios.traced,
    plan: traced.plan().stats,
  };
}

const FASHION = [784, 256, 128, 64, 32, 10];
const BATCH = 100;

function fashionLayers(seed) {
  const rng = new np.Random(seed);
  return FASHION.slice(1).map((out, i) => ({
    w: new ag.Variable(rng.normal([FASHION[i], out], 0, Math.sqrt(2 / FASHION[i]), "float32")),
    b: new ag.Variable(np.zeros([out])),
  }));
}

function fashionLoss(layers, x, t) {
  let h = x;
  layers.forEach((l, i) => {
    h = np.matmul(h, l.w).add(l.b);
    if (i < layers.length - 1) h = np.relu(h);
  });
  return np.mean(np.sum(np.logSoftmax(h).mul(t), -1).neg());
}

/** The Fashion-MNIST MLP step: 784-256-128-64-32-10 relu, softmax cross-entropy, Adam 1e-3, batch 100 (ms). */
export function fashion() {
  const rng = new np.Random(3);
  const x = rng.uniform([BATCH, 784], 0, 1, "float32");
  const t = np.oneHot(rng.randint(0, 10, [BATCH]), 10);

  const eagerLayers = fashionLayers(0);
  const eagerOpt = new optim.Adam(
    eagerLayers.flatMap((l) => [l.w, l.b]),
    { lr: 1e-3 },
  );
  const eagerStep = () => eagerOpt.minimize(() => fashionLoss(eagerLayers, x, t));

  const tracedLayers = fashionLayers(0);
  const traced = compileTrainStep({
    loss: (xb, tb) => fashionLoss(tracedLayers, xb, tb),
    inputs: [placeholder([BATCH, 784], "float32", "x"), placeholder([BATCH, 10], "float32", "t")],
    optimizer: new optim.Adam(
      tracedLayers.flatMap((l) => [l.w, l.b]),
      { lr: 1e-3 },
    ),
  });
  const tracedStep = () => traced(x, t);
  const r = compare({ eager: eagerStep, traced: tracedStep }, { iters: 4, trials: 9, warmup: 4 });
  return {
    eager: r.eager * 1e3,
    traced: r.traced * 1e3,
    speedup: r.ratios.traced,
    plan: traced.plan().stats,
  };
}

// Run as a script; importing the module (e.g. from packages/bench) only defines moons() and fashion().
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const json = process.argv.includes("--json");
const want = (name) => isMain && (args.length === 0 || args.includes(name));

if (want("moons")) {
  const r = moons();
  if (json) console.log(JSON.stringify({ workload: "graph-moons", unit: "µs/step", ...r }));
  else {
    console.log("moons per-sample SGD step (2-25-50-25-2 sigmoid, MSE, batch 1), µs/step, median:");
    console.log(`  eager (tape + assign)        ${r.eager.toFixed(1)}`);
    console.log(`  eager (tape + optim.SGD)     ${r.eagerOptimSgd.toFixed(1)}`);
    console.log(
      `  traced (GradientDescent op)  ${r.traced.toFixed(1)}   ×${r.speedup.toFixed(1)} vs eager (median per-trial ratio)`,
    );
    console.log(`  traced (optim.SGD)           ${r.tracedOptimSgd.toFixed(1)}`);
    console.log(
      `  plan: ${r.plan.kernelLaunches} kernel launches for ${r.plan.liveOps} ops, ${r.plan.fusedGroups} fused loops, ${r.plan.buffers} buffers`,
    );
  }
}
if (want("fashion")) {
  const r = fashion();
  if (json) console.log(JSON.stringify({ workload: "graph-fashion", unit: "ms/step", ...r }));
  else {
    console.log(
      "Fashion-MNIST MLP step (784-256-128-64-32-10 relu, softmax CE, Adam, batch 100), ms/step, median:",
    );
    console.log(`  eager (optim.Adam.minimize)  ${r.eager.toFixed(2)}`);
    console.log(
      `  traced (compileTrainStep)    ${r.traced.toFixed(2)}   ×${r.speedup.toFixed(2)} vs eager (median per-trial ratio)`,
    );
    console.log(
      `  plan: ${r.plan.kernelLaunches} kernel launches for ${r.plan.liveOps} ops, ${r.plan.fusedGroups} fused loops, ${r.plan.buffers} buffers (${(r.plan.bufferBytes / 1e6).toFixed(2)} MB)`,
    );
  }
}
