// The moons run without any DOM: the page drives it, and the browser test runs the same code in Node to
// check that the page computes the same numbers.
import { noGrad } from "@chainrule/autograd";
import { DataLoader, makeMoons, trainTestSplit } from "@chainrule/datasets";
import { compileTrainStep, GradientDescentOptimizer, placeholder } from "@chainrule/graph";
import * as np from "@chainrule/ndarray";
import { Dense, initializers, meanSquaredError, Sequential } from "@chainrule/nn";

export interface MoonsConfig {
  lr: number;
  noise: number;
  /** Hidden layer sizes; the textbook network is [25, 50, 25]. */
  hidden: number[];
  seed: number;
  nSamples: number;
}

export const DEFAULT_MOONS: MoonsConfig = {
  lr: 0.1,
  noise: 0.2,
  hidden: [25, 50, 25],
  seed: 0,
  nSamples: 1000,
};

/** The plotted window: make_moons lies inside it for the noise levels the page offers. */
export const MOONS_VIEW = { x: [-2, 3] as const, y: [-1.5, 2] as const };

/**
 * 2-h1-…-2 with tanh hidden layers and a sigmoid output, weights N(0, 1/units), biases U[0, 0.1).
 * (apps/moons' all-sigmoid network needs ~400 epochs at lr 0.01 to leave its plateau; tanh leaves it in a few,
 * which is what a live page needs.)
 */
export function moonsNetwork(hidden: number[], seed: number): Sequential {
  const sizes = [...hidden, 2];
  const layers = sizes.map(
    (units, i) =>
      new Dense(units, {
        inputDim: i === 0 ? 2 : undefined,
        activation: i === sizes.length - 1 ? "sigmoid" : "tanh",
        kernelInitializer: initializers.randomNormal({ stddev: Math.sqrt(1 / units) }),
        biasInitializer: initializers.randomUniform({ minval: 0, maxval: 0.1 }),
      }),
  );
  return new Sequential(layers, { seed });
}

export interface MoonsRun {
  config: MoonsConfig;
  /** Points and labels, for drawing. */
  train: { x: Float32Array; y: Int32Array };
  test: { x: Float32Array; y: Int32Array };
  /** `n` per-sample SGD steps; returns their mean loss. */
  steps(n: number): number;
  stepsDone: number;
  testAccuracy(): number;
  /** P(class 1) on an n×n grid over MOONS_VIEW, row by row from y's low end. */
  grid(n: number): Float32Array;
}

const labelsOf = (a: np.NDArray) => Int32Array.from(a.dataSync() as ArrayLike<number>);

export function createMoonsRun(config: MoonsConfig): MoonsRun {
  const { x, y } = makeMoons({ nSamples: config.nSamples, noise: config.noise, seed: config.seed });
  const { xTrain, xTest, yTrain, yTest } = trainTestSplit(x, y, { testSize: 0.3, seed: config.seed });
  const tTrain = np.oneHot(yTrain, 2);
  const model = moonsNetwork(config.hidden, config.seed);
  const step = compileTrainStep({
    loss: (xb: np.NDArray, tb: np.NDArray) => meanSquaredError(model.call(xb), tb),
    inputs: [placeholder([1, 2], "float32", "x"), placeholder([1, 2], "float32", "t")],
    optimizer: new GradientDescentOptimizer(config.lr),
  });
  const loader = new DataLoader({ x: xTrain, t: tTrain }, { batchSize: 1, shuffle: true, seed: config.seed });
  let batches: Iterator<{ x: np.NDArray; t: np.NDArray }> = loader[Symbol.iterator]();
  const next = () => {
    let r = batches.next();
    if (r.done) {
      batches = loader[Symbol.iterator]();
      r = batches.next();
    }
    return r.value;
  };
  const run: MoonsRun = {
    config,
    train: { x: Float32Array.from(xTrain.dataSync() as ArrayLike<number>), y: labelsOf(yTrain) },
    test: { x: Float32Array.from(xTest.dataSync() as ArrayLike<number>), y: labelsOf(yTest) },
    stepsDone: 0,
    steps(n) {
      let total = 0;
      for (let i = 0; i < n; i++) {
        const b = next();
        total += step(b.x, b.t).loss.item();
      }
      run.stepsDone += n;
      return total / n;
    },
    testAccuracy: () =>
      noGrad(() => np.mean(np.cast(np.eq(np.argmax(model.call(xTest), 1), yTest), "float32")).item()),
    grid(n) {
      const pts = new Float32Array(n * n * 2);
      for (let j = 0; j < n; j++)
        for (let i = 0; i < n; i++) {
          pts[2 * (j * n + i)] = MOONS_VIEW.x[0] + ((i + 0.5) / n) * (MOONS_VIEW.x[1] - MOONS_VIEW.x[0]);
          pts[2 * (j * n + i) + 1] = MOONS_VIEW.y[0] + ((j + 0.5) / n) * (MOONS_VIEW.y[1] - MOONS_VIEW.y[0]);
        }
      const probs = noGrad(() =>
        np.softmax(model.call(np.array(pts, { dtype: "float32" }).reshape([n * n, 2])), 1),
      );
      const p = probs.dataSync() as Float32Array;
      const out = new Float32Array(n * n);
      for (let k = 0; k < n * n; k++) out[k] = p[2 * k + 1]!;
      return out;
    },
  };
  return run;
}

/** The reproducibility trace: 300 steps of the default run as 30 mean losses, then the test accuracy. */
export function parityTrace(): { losses: number[]; testAccuracy: number } {
  const run = createMoonsRun(DEFAULT_MOONS);
  const losses = Array.from({ length: 30 }, () => run.steps(10));
  return { losses, testAccuracy: run.testAccuracy() };
}
