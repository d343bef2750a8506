import { ScalarLog, scalar, secondsSince, writeJsonAtomic } from "@chainrule/app-kit";
import { noGrad } from "@chainrule/autograd";
import { flattenImages, loadCatVsNonCat, normalizeImages } from "@chainrule/datasets/node";
import * as np from "@chainrule/ndarray";
import { binaryAccuracy, binaryCrossEntropyWithLogits, Dense, Sequential, sigmoid } from "@chainrule/nn";
import { SGD } from "@chainrule/optim";
import { imageGrid, lineChart, save } from "@chainrule/plot/node";
import { fit, type ProgressReporter } from "@chainrule/train";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** Layer sizes of the textbook's L-layer model: 64·64·3 inputs, three ReLU layers, one sigmoid unit. */
export const LAYER_DIMS = [12288, 20, 7, 5, 1] as const;

/** `<repository root>/../shared/datasets/catvnoncat`, where this repository keeps the two .h5 files. */
export const DEFAULT_DATA_DIR = fileURLToPath(
  new URL("../../../../shared/datasets/catvnoncat", import.meta.url),
);

/**
 * The L-layer network: Dense layers with He-normal weights (N(0, 2/fan_in), as the notebook's
 * `randn · sqrt(2/n[l-1])`) and zero biases, ReLU on the hidden layers and a sigmoid output unit, in
 * float64 as the NumPy original (this small network sits near 0.5 for hundreds of iterations, where float32
 * rounding visibly shifts when each image crosses the threshold).
 * `call(x)` gives the sigmoid probabilities; `logits(x)` the output unit before its sigmoid, which the
 * loss uses (the same cross-entropy, computed without log(0)).
 */
export class LLayerNetwork extends Sequential {
  constructor(dims: readonly number[] = LAYER_DIMS, seed = 0, dtype: "float32" | "float64" = "float64") {
    super(
      dims.slice(1).map(
        (units, l) =>
          new Dense(units, {
            inputDim: dims[l]!,
            activation: l < dims.length - 2 ? "relu" : "linear",
            kernelInitializer: "heNormal",
            biasInitializer: "zeros",
            dtype,
          }),
      ),
      { seed },
    );
  }

  /** z^[L], the output unit before the sigmoid. */
  logits(x: np.NDArray): np.NDArray {
    return super.forward(x);
  }

  /** P(cat | x) = sigmoid(z^[L]). */
  override forward(x: np.NDArray): np.NDArray {
    return sigmoid(this.logits(x));
  }
}

export interface Options {
  /** Gradient-descent iterations, each over all 209 training images. */
  iterations: number;
  lr: number;
  seed: number;
  out: string;
  /** Directory holding train_catvnoncat.h5 and test_catvnoncat.h5. */
  dataDir: string;
  /** Print the cost every this many iterations (100, as the textbook). */
  printEvery: number;
  progress: "auto" | "bar" | "lines" | "none" | ProgressReporter;
  log: (line: string) => void;
  /** Recorded in metrics.json; select it with `selectBackend` before calling `run`. */
  backend?: string;
  /** float64 by default, as the NumPy original; float32 on a device backend (WebGPU has no float64). */
  dtype?: "float32" | "float64";
}

export interface Metrics {
  app: "cat-mlp";
  seed: number;
  iterations: number;
  lr: number;
  layerDims: number[];
  backend: string;
  dtype: "float32" | "float64";
  trainAccuracy: number;
  testAccuracy: number;
  /** Cross-entropy on the training set after the last iteration. */
  finalCost: number;
  /** The cost after iterations 0, printEvery, 2·printEvery, …, and after the last one. */
  costs: { iteration: number; cost: number }[];
  /** Indices (into the 50 test images) of the mislabeled ones. */
  mislabeled: { index: number; predicted: string; truth: string; probability: number }[];
  trainSeconds: number;
  secondsPerIteration: number;
  wallTimeSeconds: number;
}

export async function run(opts: Options): Promise<{ metrics: Metrics; model: LLayerNetwork }> {
  if (!Number.isInteger(opts.iterations) || opts.iterations < 1)
    throw new RangeError(`cat-mlp: iterations must be a whole number ≥ 1, got ${opts.iterations}`);
  const t0 = performance.now();
  const device = np.getBackend().device;
  const dtype = opts.dtype ?? (device ? "float32" : "float64");
  const { train, test, classNames } = await loadCatVsNonCat({ dir: opts.dataDir });
  // Flatten each 64×64×3 image to a row of 12288 values scaled to [0, 1] (the notebook's X / 255,
  // with examples as rows instead of columns). On a device backend they are uploaded once, here.
  const resident = (x: np.NDArray) => device?.accept(x) ?? x;
  const xTrain = resident(flattenImages(normalizeImages(train.images, { dtype })));
  const xTest = resident(flattenImages(normalizeImages(test.images, { dtype })));
  const yTrain = np.cast(np.reshape(train.labels, [-1, 1]), dtype);
  opts.log(
    `cat vs non-cat: ${xTrain.shape[0]} train / ${xTest.shape[0]} test images of ${xTrain.shape[1]} values; ` +
      `layers ${LAYER_DIMS.join("-")}, lr ${opts.lr}, ${opts.iterations} iterations, seed ${opts.seed}`,
  );

  const model = new LLayerNetwork(LAYER_DIMS, opts.seed, dtype);
  const optimizer = new SGD(model.parameters(), { lr: opts.lr });
  // Values are read with `await data()` (via `scalar`): on a device backend they stay there until then.
  const accuracy = async (x: np.NDArray, labels: np.NDArray) =>
    binaryAccuracy(await noGrad(() => model.call(x)).data(), labels);
  /** The cost and the training accuracy from one forward pass (sigmoid(z) > 0.5 exactly when z > 0). */
  const onTrain = async () => {
    const z = noGrad(() => model.logits(xTrain));
    const cost = noGrad(() => binaryCrossEntropyWithLogits(z, yTrain));
    return { cost: await scalar(cost), acc: binaryAccuracy(await z.data(), train.labels, 0) };
  };

  // fit's epochs are blocks of `printEvery` iterations; every batch of a block is the whole training set.
  const blocks = Math.ceil(opts.iterations / opts.printEvery);
  const blockLength = (b: number) => Math.min(opts.printEvery, opts.iterations - b * opts.printEvery);
  const fullBatch = { x: xTrain, y: yTrain };
  // Each iteration's cost: read at once on the host, once per block on a device (one wait for the GPU).
  const costLog = new ScalarLog();
  const perIteration: number[] = [];
  const costs: Metrics["costs"] = [{ iteration: 0, cost: (await onTrain()).cost }];
  const costLine = (c: { iteration: number; cost: number }) =>
    `Cost after iteration ${c.iteration}: ${c.cost.toFixed(6)}`;
  opts.log(costLine(costs[0]!));
  // fit calls onEpochEnd while the epoch's progress bar is still drawn: print once it is gone.
  const pending: string[] = [];
  const flush = () => pending.splice(0).forEach((line) => opts.log(line));
  const tTrain = performance.now();
  await fit({
    epochs: blocks,
    data: (b: number) => Array.from({ length: blockLength(b) }, () => fullBatch),
    model,
    trainStep: ({ x, y }) => {
      const loss = optimizer.minimize(() => binaryCrossEntropyWithLogits(model.logits(x), y));
      costLog.push(loss);
      return loss.onDevice ? ({} as Record<string, number>) : { cost: loss.item() };
    },
    validate: async () => {
      perIteration.push(...(await costLog.take()));
      const { cost, acc } = await onTrain();
      return { cost, train_acc: acc, test_acc: await accuracy(xTest, test.labels) };
    },
    callbacks: [
      {
        onEpochBegin: flush,
        onEpochEnd: (b, logs) => {
          const c = { iteration: b * opts.printEvery + blockLength(b), cost: logs.cost! };
          costs.push(c);
          pending.push(costLine(c));
        },
        onTrainEnd: flush,
      },
    ],
    progress: opts.progress,
  });
  const trainSeconds = secondsSince(tTrain);

  const trainAccuracy = await accuracy(xTrain, train.labels);
  const testAccuracy = await accuracy(xTest, test.labels);
  const probs = Array.from(await noGrad(() => model.call(xTest)).data());
  const truth = Array.from(test.labels.dataSync());
  const mislabeled = probs
    .map((p, index) => ({ index, pred: p > 0.5 ? 1 : 0, truth: truth[index]!, probability: p }))
    .filter((m) => m.pred !== m.truth);
  opts.log(
    `train accuracy ${trainAccuracy.toFixed(4)}, test accuracy ${testAccuracy.toFixed(4)} ` +
      `(${mislabeled.length} of ${truth.length} test images mislabeled); ` +
      `${trainSeconds.toFixed(1)} s, ${((1000 * trainSeconds) / Math.max(1, opts.iterations)).toFixed(1)} ms per iteration`,
  );

  // Plots: the cost curve, and the mislabeled test images.
  await save(
    lineChart({
      series: [
        // perIteration[i] is the cost after i updates; the last entry is the cost after all of them.
        {
          name: "each iteration",
          x: [...perIteration.keys(), opts.iterations],
          y: [...perIteration, costs[costs.length - 1]!.cost],
        },
        {
          name: `every ${opts.printEvery}th`,
          x: costs.map((c) => c.iteration),
          y: costs.map((c) => c.cost),
        },
      ],
      title: `Cost (binary cross-entropy), learning rate ${opts.lr}`,
      xLabel: "iteration",
      yLabel: "cost",
      points: false,
    }),
    join(opts.out, "cost"),
  );
  const [, h, w, ch] = test.images.shape as [number, number, number, number];
  const pixels = test.images.dataSync();
  const mistakes = mislabeled;
  if (mistakes.length > 0) {
    await save(
      await imageGrid({
        title: `Mislabeled test images: ${mistakes.length} of ${truth.length} (test accuracy ${testAccuracy.toFixed(2)})`,
        columns: Math.min(mistakes.length, 6),
        images: mistakes.map((m) => ({
          data: pixels.subarray(m.index * h * w * ch, (m.index + 1) * h * w * ch),
          width: w,
          height: h,
          channels: ch as 3,
          caption: `pred: ${classNames[m.pred]}\ntrue: ${classNames[m.truth]}\nP(cat) = ${m.probability.toFixed(2)}`,
          captionColor: "#d62728",
        })),
      }),
      join(opts.out, "mislabeled"),
    );
  }

  const metrics: Metrics = {
    app: "cat-mlp",
    seed: opts.seed,
    iterations: opts.iterations,
    lr: opts.lr,
    layerDims: [...LAYER_DIMS],
    backend: opts.backend ?? "js",
    dtype,
    trainAccuracy,
    testAccuracy,
    finalCost: costs[costs.length - 1]!.cost,
    costs,
    mislabeled: mislabeled.map((m) => ({
      index: m.index,
      predicted: classNames[m.pred]!,
      truth: classNames[m.truth]!,
      probability: m.probability,
    })),
    trainSeconds,
    secondsPerIteration: trainSeconds / Math.max(1, opts.iterations),
    wallTimeSeconds: secondsSince(t0),
  };
  writeJsonAtomic(join(opts.out, "metrics.json"), metrics);
  return { metrics, model };
}
