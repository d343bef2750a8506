// The Fashion-MNIST MLP for the page (784-128-10, Adam, batch 100), DOM-free. The step is traced once
// and replayed on planned buffers, as apps/fashion-mnist does.
import { noGrad } from "@chainrule/autograd";
import { DataLoader, flattenImages, normalizeImages } from "@chainrule/datasets";
import { minimize, placeholder, trace } from "@chainrule/graph";
import * as np from "@chainrule/ndarray";
import {
  Dense,
  parseSafetensors,
  Sequential,
  serializeSafetensors,
  sparseSoftmaxCrossEntropy,
} from "@chainrule/nn";
import { Adam } from "@chainrule/optim";
import type { FashionData } from "./fashion-data";

export const FASHION_BATCH = 100;

export function fashionMlp(seed: number): Sequential {
  return new Sequential(
    [new Dense(128, { inputDim: 784, activation: "relu" }), new Dense(10, { inputDim: 128 })],
    { seed },
  );
}

export interface FashionRun {
  model: Sequential;
  /** Trains `batches` batches, yielding to the page every few; `onBatch(done, loss)` after each. */
  train(batches: number, onBatch: (done: number, loss: number) => void): Promise<void>;
  /** Accuracy on the first `n` test images (all 10,000 by default). */
  testAccuracy(n?: number): number;
  /** Predicted classes of the first `n` test images. */
  predict(n: number): Int32Array;
  testImages: np.NDArray;
  testLabels: np.NDArray;
}

const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export function createFashionRun(data: FashionData, options: { seed: number; lr: number }): FashionRun {
  const xTrain = flattenImages(normalizeImages(data.trainImages));
  const xTest = flattenImages(normalizeImages(data.testImages));
  const yTrain = np.cast(data.trainLabels, "int32");
  const yTest = np.cast(data.testLabels, "int32");
  const model = fashionMlp(options.seed);
  const optimizer = new Adam(model.parameters(), { lr: options.lr });
  const step = trace(
    (x: np.NDArray, y: np.NDArray) => {
      const loss = sparseSoftmaxCrossEntropy(model.call(x), y);
      return { loss, train: minimize(loss, optimizer) };
    },
    [placeholder([FASHION_BATCH, 784], "float32", "x"), placeholder([FASHION_BATCH], "int32", "y")],
  );
  const loader = new DataLoader(
    { x: xTrain, y: yTrain },
    { batchSize: FASHION_BATCH, shuffle: true, seed: options.seed, dropLast: true },
  );
  let batches = loader[Symbol.iterator]();
  const nextBatch = () => {
    let r = batches.next();
    if (r.done) {
      batches = loader[Symbol.iterator]();
      r = batches.next();
    }
    return r.value;
  };
  const logitsOf = (n: number) => noGrad(() => model.call(np.slice(xTest, [[0, n]])));
  return {
    model,
    testImages: data.testImages,
    testLabels: yTest,
    async train(count, onBatch) {
      for (let i = 0; i < count; i++) {
        const b = nextBatch();
        onBatch(i + 1, step(b.x, b.y).loss.item());
        if (i % 5 === 4) await yieldToPage();
      }
    },
    testAccuracy(n = xTest.shape[0]!) {
      const pred = np.argmax(logitsOf(n), 1);
      return np.mean(np.cast(np.eq(pred, np.slice(yTest, [[0, n]])), "float32")).item();
    },
    predict: (n) => Int32Array.from(np.argmax(logitsOf(n), 1).dataSync() as ArrayLike<number>),
  };
}

/** The model's weights as a safetensors file. */
export const modelToSafetensors = (model: Sequential): Uint8Array =>
  serializeSafetensors(model.stateDict(), { format: "chainrule-playground fashion-mlp 784-128-10" });

/** Loads a safetensors file into the model, all or nothing; errors name the file. */
export function loadSafetensorsInto(model: Sequential, bytes: Uint8Array, fileName: string): void {
  try {
    model.loadStateDict(parseSafetensors(bytes).tensors);
  } catch (e) {
    throw new Error(`${fileName}: ${(e as Error).message}`);
  }
}
