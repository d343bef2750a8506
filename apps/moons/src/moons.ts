import { onHostBackend, scalar, secondsSince, writeJsonAtomic } from "@chainrule/app-kit";
import { noGrad } from "@chainrule/autograd";
import { DataLoader, makeMoons, trainTestSplit } from "@chainrule/datasets";
import * as np from "@chainrule/ndarray";
import { Dense, initializers, meanSquaredError, Sequential } from "@chainrule/nn";
import { SGD } from "@chainrule/optim";
import { decisionBoundary, lineChart, sampleGrid, save, scatterPlot } from "@chainrule/plot/node";
import { fit, type ProgressReporter } from "@chainrule/train";
import { compileTrainStep, GradientDescentOptimizer, placeholder } from "@chainrule/graph";
import { join } from "node:path";

export interface Options {
  epochs: number;
  lr: number;
  seed: number;
  out: string;
  nSamples: number;
  noise: number;
  printEvery: number;
  progress: "auto" | "bar" | "lines" | "none" | ProgressReporter;
  log: (line: string) => void;
  /** Train through a graph traced once (default), or op by op. Both give the same numbers. */
  eager?: boolean;
}

/**
 * The textbook network: 2-25-50-25-2, sigmoid on every layer, initialised as the textbook does:
 * weights N(0, 1/units), biases uniform in [0, 0.1). (With Keras' Glorot default the small output
 * layer starts so flat that per-sample SGD at lr 0.01 sits on the 0.25 plateau for hundreds of epochs.)
 */
export function moonsNetwork(seed: number): Sequential {
  const layer = (units: number, inputDim?: number) =>
    new Dense(units, {
      inputDim,
      activation: "sigmoid",
      kernelInitializer: initializers.randomNormal({ stddev: Math.sqrt(1 / units) }),
      biasInitializer: initializers.randomUniform({ minval: 0, maxval: 0.1 }),
    });
  return new Sequential([layer(25, 2), layer(50), layer(25), layer(2)], { seed });
}

export async function run(opts: Options) {
  const t0 = performance.now();
  // Host arrays, whatever the backend: the loader slices them, and a device backend uploads each batch.
  const { x, y, xTrain, xTest, yTrain, yTest, tTrain, tTest } = onHostBackend(() => {
    const data = makeMoons({ nSamples: opts.nSamples, noise: opts.noise, seed: opts.seed });
    const split = trainTestSplit(data.x, data.y, { testSize: 0.3, seed: opts.seed });
    return { ...data, ...split, tTrain: np.oneHot(split.yTrain, 2), tTest: np.oneHot(split.yTest, 2) };
  });
  const model = moonsNetwork(opts.seed);
  const optimizer = new SGD(model.parameters(), { lr: opts.lr });
  const loader = new DataLoader({ x: xTrain, t: tTrain }, { batchSize: 1, shuffle: true, seed: opts.seed });
  const lossOf = (xb: np.NDArray, tb: np.NDArray) => meanSquaredError(model.call(xb), tb);
  // One per-sample step (forward, backward, SGD update), traced once and replayed on planned buffers.
  // The graph's own descent op is optim's SGD bit for bit, and lets the executor fuse each weight update
  // into its gradient's matmul.
  const tracedStep = opts.eager
    ? undefined
    : compileTrainStep({
        loss: lossOf,
        inputs: [placeholder([1, 2], "float32", "x"), placeholder([1, 2], "float32", "t")],
        optimizer: new GradientDescentOptimizer(opts.lr),
      });
  const lossArray = tracedStep
    ? (xb: np.NDArray, tb: np.NDArray) => tracedStep(xb, tb).loss
    : (xb: np.NDArray, tb: np.NDArray) => optimizer.minimize(() => lossOf(xb, tb));
  // On a device backend (WebGPU) the per-sample loss stays there: reading it would wait for the GPU at
  // every step. The epoch's MSE comes from `validate`, read once per epoch.
  const onDevice = Boolean(np.getBackend().device);
  const trainStep = onDevice
    ? (xb: np.NDArray, tb: np.NDArray) => (lossArray(xb, tb), {})
    : (xb: np.NDArray, tb: np.NDArray) => lossArray(xb, tb).item();

  const evaluate = async (xs: np.NDArray, ts: np.NDArray, labels: np.NDArray) => {
    const { mse, acc } = noGrad(() => {
      const p = model.call(xs);
      return {
        acc: np.mean(np.cast(np.eq(np.argmax(p, 1), labels), "float32")),
        mse: meanSquaredError(p, ts),
      };
    });
    return { mse: await scalar(mse), acc: await scalar(acc) };
  };

  opts.log(
    `make_moons: ${opts.nSamples} samples, noise ${opts.noise}; ${xTrain.shape[0]} train / ${xTest.shape[0]} test`,
  );
  const history = await fit({
    epochs: opts.epochs,
    data: loader,
    model,
    trainStep: ({ x: xb, t: tb }: { x: np.NDArray; t: np.NDArray }) => trainStep(xb, tb),
    validate: async () => {
      const train = await evaluate(xTrain, tTrain, yTrain);
      const test = await evaluate(xTest, tTest, yTest);
      return { train_mse: train.mse, train_acc: train.acc, test_mse: test.mse, test_acc: test.acc };
    },
    callbacks: [
      {
        onEpochEnd: (epoch, logs) => {
          if ((epoch + 1) % opts.printEvery === 0 || epoch + 1 === opts.epochs) {
            opts.log(
              `epoch ${String(epoch + 1).padStart(4)}: MSE train ${logs.train_mse!.toFixed(5)} test ${logs.test_mse!.toFixed(5)} · accuracy train ${logs.train_acc!.toFixed(4)} test ${logs.test_acc!.toFixed(4)}`,
            );
          }
        },
      },
    ],
    progress: opts.progress,
  });
  const trainSeconds = secondsSince(t0);
  const last = history.epoch.length - 1;
  const testAcc = history.test_acc![last]!;

  // Plots: the data, the curves, and the decision boundary over the test points.
  const pts = async (xs: np.NDArray, labels: np.NDArray) => {
    const a = (await xs.array()) as number[][];
    const l = Array.from(await labels.data());
    return a.map(([px, py], i) => ({ x: px!, y: py!, label: `class ${l[i]}` }));
  };
  await save(
    scatterPlot({
      points: await pts(x, y),
      title: `make_moons (${opts.nSamples} samples, noise ${opts.noise})`,
      xLabel: "x₁",
      yLabel: "x₂",
    }),
    join(opts.out, "dataset"),
  );
  const epochs = history.epoch.map((e) => e + 1);
  await save(
    lineChart({
      series: [
        { name: "train", x: epochs, y: history.train_mse! },
        { name: "test", x: epochs, y: history.test_mse! },
      ],
      title: "Mean squared error",
      xLabel: "epoch",
      yLabel: "MSE",
    }),
    join(opts.out, "mse"),
  );
  await save(
    lineChart({
      series: [
        { name: "train", x: epochs, y: history.train_acc! },
        { name: "test", x: epochs, y: history.test_acc! },
      ],
      title: "Accuracy",
      xLabel: "epoch",
      yLabel: "accuracy",
    }),
    join(opts.out, "accuracy"),
  );
  const grid = sampleGrid(() => 0, { x: [-2, 3], y: [-1.5, 2], n: 80 });
  const xs = Array.from(grid.xs);
  const gridPoints = np.array(Array.from(grid.ys).flatMap((gy) => xs.map((gx) => [gx, gy])));
  const probs = noGrad(() => np.softmax(model.call(gridPoints), 1));
  grid.values = Array.from(await np.slice(probs, [null, 1]).data());
  await save(
    decisionBoundary({
      grid,
      points: await pts(xTest, yTest),
      classes: ["class 0", "class 1"],
      title: `Decision boundary over the test points (test accuracy ${testAcc.toFixed(3)})`,
      xLabel: "x₁",
      yLabel: "x₂",
    }),
    join(opts.out, "decision-boundary"),
  );

  const metrics = {
    app: "moons",
    seed: opts.seed,
    epochs: opts.epochs,
    lr: opts.lr,
    testAccuracy: testAcc,
    trainAccuracy: history.train_acc![last]!,
    testMse: history.test_mse![last]!,
    trainMse: history.train_mse![last]!,
    execution: opts.eager ? "eager" : "traced graph",
    trainSeconds,
    wallTimeSeconds: secondsSince(t0),
  };
  writeJsonAtomic(join(opts.out, "metrics.json"), metrics);
  return { metrics, history };
}
