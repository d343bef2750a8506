import { describe, expect, it } from "vitest";
import { noGrad } from "@chainrule/autograd";
import type { NDArray } from "@chainrule/ndarray";
import { AvgPool2D, Conv2D, MaxPool2D } from "@chainrule/layer-conv";
import {
  Activation,
  BatchNorm1d,
  Dense,
  Dropout,
  Flatten,
  LeakyReLU,
  LogSoftmax,
  Module,
  Reshape,
  Sequential,
  Softmax,
  Tanh,
  withEvalMode,
} from "@chainrule/nn";
import { exportOnnx, OnnxError } from "./index";
import { fashionCnn, fashionMlp, maxRelError, moonsNetwork, randomInput, runOrt } from "./test-helpers";

const predict = (m: Module, x: NDArray) => withEvalMode(m, () => noGrad(() => m.call(x)));

/** Exports with a batch of 1, then runs onnxruntime on batches of `batch` and `batch + 3` (the batch axis is dynamic). */
async function compare(model: Module, sample: number[], batch: number, seed: number, lo = 0, hi = 1) {
  const bytes = exportOnnx(model, randomInput([1, ...sample], seed + 1));
  let worst = 0;
  for (const n of [batch, batch + 3]) {
    const x = randomInput([n, ...sample], seed + n, lo, hi);
    const want = predict(model, x);
    const got = await runOrt(bytes, x);
    expect(got.dims).toEqual(want.shape);
    worst = Math.max(worst, maxRelError(got.data, want.dataSync() as Float32Array));
  }
  return worst;
}

describe("exportOnnx against onnxruntime (float32, 1e-5)", () => {
  it("the Fashion-MNIST MLP", async () => {
    expect(await compare(fashionMlp(1), [28, 28], 7, 10)).toBeLessThan(1e-5);
  });

  it("the Fashion-MNIST CNN (NHWC in chainrule, NCHW Conv in ONNX)", async () => {
    expect(await compare(fashionCnn(2), [28, 28], 3, 20)).toBeLessThan(1e-5);
  });

  it("the moons network", async () => {
    expect(await compare(moonsNetwork(3), [2], 11, 30)).toBeLessThan(1e-5);
  });

  it("strided, dilated, odd-sized 'same' and 'valid' convolutions and pools", async () => {
    const model = new Sequential(
      [
        new Conv2D(4, [3, 2], { padding: "same", strides: [2, 1], inputChannels: 3, activation: "tanh" }),
        new MaxPool2D(3, { strides: 2, padding: "same" }),
        new Conv2D(5, 3, { dilationRate: 2, padding: "same", activation: "leakyRelu" }),
        new AvgPool2D(2, { padding: "same" }),
        new Conv2D(2, [2, 3], { padding: "valid", useBias: false }),
        new Flatten(),
        new Dense(6, { activation: "softmax" }),
      ],
      { seed: 4 },
    );
    expect(await compare(model, [11, 9, 3], 2, 40, -1, 1)).toBeLessThan(1e-5);
  });

  it("BatchNorm1d (running statistics), Dropout, Reshape and activation layers", async () => {
    const bn = new BatchNorm1d(8, { eps: 1e-3 });
    const model = new Sequential(
      [
        new Reshape([12]),
        new Dense(8),
        bn,
        new LeakyReLU(0.1),
        new Dropout(0.5),
        new Tanh(),
        new Activation("sigmoid"),
        new Dense(5),
        new LogSoftmax(),
        new Softmax(-1),
      ],
      { seed: 5 },
    );
    // Train mode moves the running statistics away from 0 and 1, so the test sees them.
    for (let i = 0; i < 3; i++) noGrad(() => model.call(randomInput([16, 3, 4], 50 + i, -2, 3)));
    expect(await compare(model, [3, 4], 4, 60)).toBeLessThan(1e-5);
  });
});

describe("exportOnnx errors", () => {
  class Custom extends Module {
    forward(x: NDArray): NDArray {
      return x;
    }
  }

  it("names a layer with no ONNX mapping", () => {
    expect(() =>
      exportOnnx(new Sequential([new Dense(2, { inputDim: 3 }), new Custom()]), randomInput([1, 3], 1)),
    ).toThrow(/layer Custom has no ONNX mapping/);
  });

  it("names a custom activation function", () => {
    const model = new Sequential([
      new Dense(2, {
        inputDim: 3,
        activation: function swishy(x) {
          return x;
        },
      }),
    ]);
    expect(() => exportOnnx(model, randomInput([1, 3], 1))).toThrow(OnnxError);
    expect(() => exportOnnx(model, randomInput([1, 3], 1))).toThrow(
      /Dense\(2\).*'swishy' has no ONNX mapping/,
    );
  });

  it("refuses a BatchNorm1d without running statistics", () => {
    const model = new Sequential([new BatchNorm1d(3, { trackRunningStats: false })]);
    expect(() => exportOnnx(model, randomInput([2, 3], 1))).toThrow(/BatchNorm1d\(3\).*running statistics/);
  });
});
