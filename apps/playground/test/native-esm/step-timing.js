// The moons step timed the same way in a page (native ESM, the dist files) and in Node: the 2-25-50-25-2
// network, per-sample SGD on MSE, three ways:
//   "eager":  opt.minimize (GradientTape + SGD): every op allocates its result; minimize releases the
//             gradients and the backward pass's temporaries to the buffer pool, the forward pass's arrays
//             are left to the GC;
//   "tidy":   the same step inside np.tidy: every array of the step goes back to the pool;
//   "traced": compileTrainStep: the plan replays on buffers allocated once.
// Used by scripts/measure.ts and test/native-esm.test.ts (which prints the figures).
import * as np from "@chainrule/ndarray";
import { compileTrainStep, GradientDescentOptimizer, placeholder } from "@chainrule/graph";
import { Dense, meanSquaredError, Sequential } from "@chainrule/nn";
import { SGD } from "@chainrule/optim";

function network() {
  const sizes = [25, 50, 25, 2];
  return new Sequential(
    sizes.map(
      (units, i) =>
        new Dense(units, { inputDim: i === 0 ? 2 : undefined, activation: i === 3 ? "sigmoid" : "tanh" }),
    ),
    { seed: 0 },
  );
}

/** 256 fixed samples to cycle through (the data does not change the cost of a step). */
function samples() {
  const rng = new np.Random(1);
  return Array.from({ length: 256 }, () => ({
    x: np.array([[rng.random() * 3 - 1, rng.random() * 2 - 0.5]], { dtype: "float32" }),
    t: np.array([rng.random() < 0.5 ? [1, 0] : [0, 1]], { dtype: "float32" }),
  }));
}

/** µs per step over `steps` steps, after `warmup` untimed ones (the JIT and the trace). */
export function timeSteps(mode, steps, warmup = 2000) {
  const model = network();
  const data = samples();
  let step;
  if (mode === "traced") {
    const traced = compileTrainStep({
      loss: (x, t) => meanSquaredError(model.call(x), t),
      inputs: [placeholder([1, 2], "float32", "x"), placeholder([1, 2], "float32", "t")],
      optimizer: new GradientDescentOptimizer(0.1),
    });
    step = (b) => traced(b.x, b.t).loss.item();
  } else {
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const eager = (b) => opt.minimize(() => meanSquaredError(model.call(b.x), b.t)).item();
    step = mode === "tidy" ? (b) => np.tidy(() => eager(b)) : eager;
  }
  for (let i = 0; i < warmup; i++) step(data[i % 256]);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step(data[i % 256]);
  return ((performance.now() - t0) * 1000) / steps;
}
