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
  /** Samples per SGD step: 1 is per-sample SGD (the textbook run); a GPU wants larger batches. */
  batchSize: number;
}

export const DEFAULT_MOONS: MoonsConfig = {
  lr: 0.1,
  noise: 0.2,
  hidden: [25, 50, 25],
  seed: 0,
  nSamples: 1000,
  batchSize: 1,
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

/** A run the page drives; on a GPU backend the values come back asynchronously (`await x.data()`). */
export interface MoonsRun {
  config: MoonsConfig;
  /** Points and labels, for drawing. */
  train: { x: Float32Array; y: Int32Array };
  test: { x: Float32Array; y: Int32Array };
  /** `n` SGD steps; returns their mean loss. */
  steps(n: number): number | Promise<number>;
  stepsDone: number;
  /** Steps per `steps` call that keep the page responsive. */
  readonly chunk: number;
  /** How long the page trains between redraws: a redraw on a GPU waits for two read-backs. */
  readonly sliceMs: number;
  testAccuracy(): number | Promise<number>;
  /** P(class 1) on an n×n grid over MOONS_VIEW, row by row from y's low end. */
  grid(n: number): Float32Array | Promise<Float32Array>;
}

/** The run on a CPU backend (js, wasm): every value is ready when the call returns. */
export interface HostMoonsRun extends MoonsRun {
  steps(n: number): number;
  testAccuracy(): number;
  grid(n: number): Float32Array;
}

const labelsOf = (a: np.NDArray) => Int32Array.from(a.dataSync() as ArrayLike<number>);

export interface MoonsData {
  xTrain: np.NDArray;
  xTest: np.NDArray;
  yTest: np.NDArray;
  /** One-hot training targets. */
  tTrain: np.NDArray;
  train: MoonsRun["train"];
  test: MoonsRun["test"];
}

/** make_moons, split 70/30, on the host (both kinds of run start from the same arrays). */
export function moonsData(config: MoonsConfig): MoonsData {
  const { x, y } = makeMoons({ nSamples: config.nSamples, noise: config.noise, seed: config.seed });
  const { xTrain, xTest, yTrain, yTest } = trainTestSplit(x, y, { testSize: 0.3, seed: config.seed });
  return {
    xTrain,
    xTest,
    yTest,
    tTrain: np.oneHot(yTrain, 2),
    train: { x: Float32Array.from(xTrain.dataSync() as ArrayLike<number>), y: labelsOf(yTrain) },
    test: { x: Float32Array.from(xTest.dataSync() as ArrayLike<number>), y: labelsOf(yTest) },
  };
}

/** Endless shuffled batches of `{ x, t }` (a new epoch starts where the last one ended). */
export function batchStream(data: MoonsData, config: MoonsConfig): () => { x: np.NDArray; t: np.NDArray } {
  const loader = new DataLoader(
    { x: data.xTrain, t: data.tTrain },
    { batchSize: config.batchSize, shuffle: true, seed: config.seed, dropLast: true },
  );
  let batches: Iterator<{ x: np.NDArray; t: np.NDArray }> = loader[Symbol.iterator]();
  return () => {
    let r = batches.next();
    if (r.done) {
      batches = loader[Symbol.iterator]();
      r = batches.next();
    }
    return r.value;
  };
}

/** The grid's points: n×n (x, y) pairs over MOONS_VIEW, row by row from y's low end. */
export function gridPoints(n: number): Float32Array {
  const pts = new Float32Array(n * n * 2);
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      pts[2 * (j * n + i)] = MOONS_VIEW.x[0] + ((i + 0.5) / n) * (MOONS_VIEW.x[1] - MOONS_VIEW.x[0]);
      pts[2 * (j * n + i) + 1] = MOONS_VIEW.y[0] + ((j + 0.5) / n) * (MOONS_VIEW.y[1] - MOONS_VIEW.y[0]);
    }
  return pts;
}

/** The run on a CPU backend: the training step traced once with compileTrainStep and replayed. */
export function createMoonsRun(config: MoonsConfig): HostMoonsRun {
  const data = moonsData(config);
  const model = moonsNetwork(config.hidden, config.seed);
  const b = config.batchSize;
  const step = compileTrainStep({
    loss: (xb: np.NDArray, tb: np.NDArray) => meanSquaredError(model.call(xb), tb),
    inputs: [placeholder([b, 2], "float32", "x"), placeholder([b, 2], "float32", "t")],
    optimizer: new GradientDescentOptimizer(config.lr),
  });
  const next = batchStream(data, config);
  const run: HostMoonsRun = {
    config,
    train: data.train,
    test: data.test,
    stepsDone: 0,
    chunk: 50,
    sliceMs: 30,
    steps(n) {
      let total = 0;
      for (let i = 0; i < n; i++) {
        const batch = next();
        total += step(batch.x, batch.t).loss.item();
      }
      run.stepsDone += n;
      return total / n;
    },
    testAccuracy: () =>
      noGrad(() =>
        np.mean(np.cast(np.eq(np.argmax(model.call(data.xTest), 1), data.yTest), "float32")).item(),
      ),
    grid(n) {
      const pts = np.array(gridPoints(n), { dtype: "float32" }).reshape([n * n, 2]);
      const p = noGrad(() => np.softmax(model.call(pts), 1)).dataSync() as Float32Array;
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
