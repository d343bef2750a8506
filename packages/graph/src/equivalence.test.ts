// Eager and traced training give the same numbers: forward values, gradients and updated weights.
import { describe, expect, it } from "vitest";
import * as np from "@chainrule/ndarray";
import { GradientTape, type Variable } from "@chainrule/autograd";
import {
  Dense,
  Sequential,
  meanSquaredError,
  softmaxCrossEntropy,
  sparseSoftmaxCrossEntropy,
} from "@chainrule/nn";
import { Adam, SGD } from "@chainrule/optim";
import { gradients, minimize, placeholder, trace, GradientDescentOptimizer } from "./index";

/** Same values; -0 and 0 count as equal (a sum over one element may drop a zero's sign). */
function expectSame(a: np.NDArray, b: np.NDArray, what: string): void {
  expect(a.shape, what).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) {
      throw new Error(`${what}: element ${i} differs: traced ${x[i]} vs eager ${y[i]}`);
    }
  }
}

function moonsModel(): Sequential {
  return new Sequential(
    [
      new Dense(25, { inputDim: 2, activation: "sigmoid" }),
      new Dense(50, { activation: "sigmoid" }),
      new Dense(25, { activation: "sigmoid" }),
      new Dense(2, { activation: "sigmoid" }),
    ],
    { seed: 7 },
  );
}

describe("eager vs traced", () => {
  it("moons 2-25-50-25-2 sigmoid, MSE, batch 1, SGD lr 0.01: forward, gradients and weights agree", () => {
    const eagerModel = moonsModel();
    const tracedModel = moonsModel();
    const eagerParams = eagerModel.parameters();
    const tracedParams = tracedModel.parameters();
    eagerParams.forEach((p, i) => expectSame(tracedParams[i]!, p, `initial ${p.name}`));
    const eagerOpt = new SGD(eagerParams, { lr: 0.01 });
    const tracedOpt = new SGD(tracedParams, { lr: 0.01 });

    const step = trace(
      (x, t) => {
        const pred = tracedModel.call(x);
        const loss = meanSquaredError(pred, t);
        return { pred, loss, grads: gradients(loss, tracedParams), train: minimize(loss, tracedOpt) };
      },
      [placeholder([1, 2], "float32", "x"), placeholder([1, 2], "float32", "t")],
    );

    const rng = new np.Random(3);
    for (let s = 0; s < 25; s++) {
      const x = rng.uniform([1, 2], -1.5, 1.5, "float32");
      const t = x.dataSync()[1]! > 0 ? np.array([[1, 0]]) : np.array([[0, 1]]);
      const tape = new GradientTape();
      const pred = tape.record(() => eagerModel.call(x));
      const loss = tape.record(() => meanSquaredError(pred, t));
      const grads = tape.gradient(loss, eagerParams) as np.NDArray[];
      eagerOpt.step(grads);

      const out = step(x, t);
      expectSame(out.pred, pred, `step ${s} predictions`);
      expectSame(out.loss, loss, `step ${s} loss`);
      grads.forEach((g, i) => expectSame(out.grads[i]!, g, `step ${s} gradient of ${eagerParams[i]!.name}`));
      eagerParams.forEach((p, i) => expectSame(tracedParams[i]!, p, `step ${s} updated ${p.name}`));
    }
    // The plan really is fused and planned.
    const stats = step.plan().stats;
    expect(stats.fusedGroups).toBeGreaterThan(0);
    expect(stats.kernelLaunches).toBeLessThan(stats.liveOps);
  });

  it("GradientDescentOptimizer matches optim's SGD (θ ← θ − lr·g) on the moons network", () => {
    const a = moonsModel();
    const b = moonsModel();
    const pa = a.parameters();
    const pb = b.parameters();
    const sgd = new SGD(pa, { lr: 0.01 });
    const gd = trace(
      (x, t) => {
        const loss = meanSquaredError(b.call(x), t);
        return { loss, train: new GradientDescentOptimizer(0.01).minimize(loss) };
      },
      [placeholder([1, 2], "float32", "x"), placeholder([1, 2], "float32", "t")],
    );
    const rng = new np.Random(4);
    for (let s = 0; s < 10; s++) {
      const x = rng.uniform([1, 2], -1, 1, "float32");
      const t = np.array([[1, 0]]);
      sgd.minimize(() => meanSquaredError(a.call(x), t));
      gd(x, t);
    }
    pa.forEach((p, i) => expectSame(pb[i]!, p, `weights ${p.name}`));
  });

  it("Fashion-MNIST MLP 784-256-128-64-32-10 relu, softmax cross-entropy, Adam 1e-3, batch 100", () => {
    const make = () =>
      new Sequential(
        [
          new Dense(256, { inputDim: 784, activation: "relu" }),
          new Dense(128, { activation: "relu" }),
          new Dense(64, { activation: "relu" }),
          new Dense(32, { activation: "relu" }),
          new Dense(10),
        ],
        { seed: 11 },
      );
    const eagerModel = make();
    const tracedModel = make();
    const eagerParams = eagerModel.parameters() as Variable[];
    const tracedParams = tracedModel.parameters() as Variable[];
    const eagerOpt = new Adam(eagerParams, { lr: 1e-3 });
    const tracedOpt = new Adam(tracedParams, { lr: 1e-3 });
    const step = trace(
      (x, y) => {
        const logits = tracedModel.call(x);
        const loss = softmaxCrossEntropy(logits, y);
        return { logits, loss, grads: gradients(loss, tracedParams), train: minimize(loss, tracedOpt) };
      },
      [placeholder([100, 784], "float32", "x"), placeholder([100, 10], "float32", "y")],
    );
    const rng = new np.Random(5);
    for (let s = 0; s < 3; s++) {
      // Image-like inputs in [0, 1] and one-hot labels.
      const x = rng.uniform([100, 784], 0, 1, "float32");
      const y = np.oneHot(rng.randint(0, 10, [100]), 10);
      const tape = new GradientTape();
      const logits = tape.record(() => eagerModel.call(x));
      const loss = tape.record(() => softmaxCrossEntropy(logits, y));
      const grads = tape.gradient(loss, eagerParams) as np.NDArray[];
      eagerOpt.step(grads);

      const out = step(x, y);
      expectSame(out.logits, logits, `step ${s} logits`);
      expectSame(out.loss, loss, `step ${s} loss`);
      grads.forEach((g, i) => expectSame(out.grads[i]!, g, `step ${s} gradient #${i}`));
      eagerParams.forEach((p, i) => expectSame(tracedParams[i]!, p, `step ${s} weights #${i}`));
    }
  });

  it("sparse softmax cross-entropy follows the labels fed on each run (nothing baked in)", () => {
    const logits = (x: np.NDArray) => np.matmul(x, np.reshape(np.arange(0, 12, 1, "float32"), [3, 4]));
    const f = trace(
      (x, y) => sparseSoftmaxCrossEntropy(logits(x), y),
      [placeholder([null, 3], "float32", "x"), placeholder([null], "int32", "y")],
    );
    const rng = new np.Random(6);
    for (const labels of [
      [0, 1],
      [3, 2],
      [1, 1],
    ]) {
      const x = rng.normal([2, 3], 0, 1, "float32");
      const y = np.array(labels, { dtype: "int32" });
      expectSame(f(x, y), sparseSoftmaxCrossEntropy(logits(x), y), `labels ${labels}`);
    }
  });
});
