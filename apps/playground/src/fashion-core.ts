// The Fashion-MNIST MLP for the page (784-128-10, Adam, batch 100), DOM-free. The step is traced once
// and replayed on planned buffers, as apps/fashion-mnist does; on a device backend (webgpu) the weights,
// Adam's moments and the plan's buffers stay in the device's memory, and values are read with `await data()`.
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
  testAccuracy(n?: number): Promise<number>;
  /** Predicted classes of the first `n` test images. */
  predict(n: number): Promise<Int32Array>;
  testImages: np.NDArray;
  testLabels: np.NDArray;
}

const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Runs `f` on the js backend: the images are normalized (and batched) on the host, not uploaded whole. */
const onHost = <T>(f: () => T): T => np.withBackend(np.jsBackend, f);

/** The run on the current backend: js, wasm, or webgpu (call after setBackend). */
export function createFashionRun(data: FashionData, options: { seed: number; lr: number }): FashionRun {
  const { xTrain, xTest, yTrain, yTest } = onHost(() => ({
    xTrain: flattenImages(normalizeImages(data.trainImages)),
    xTest: flattenImages(normalizeImages(data.testImages)),
    yTrain: np.cast(data.trainLabels, "int32"),
    yTest: np.cast(data.testLabels, "int32"),
  }));
  const model = fashionMlp(options.seed); // its Variables live where the current backend keeps arrays
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
  const predict = async (n: number) => {
    const pred = noGrad(() => np.argmax(model.call(np.slice(xTest, [[0, n]])), 1));
    return Int32Array.from((await pred.data()) as ArrayLike<number>);
  };
  return {
    model,
    testImages: data.testImages,
    testLabels: yTest,
    async train(count, onBatch) {
      for (let i = 0; i < count; i++) {
        const b = onHost(nextBatch);
        // Read before the next run: it overwrites the plan's output (on a GPU this waits for the step).
        onBatch(i + 1, (await step(b.x, b.y).loss.data())[0]!);
        if (i % 5 === 4) await yieldToPage();
      }
    },
    async testAccuracy(n = xTest.shape[0]!) {
      const pred = await predict(n);
      const truth = yTest.dataSync();
      let correct = 0;
      for (let i = 0; i < n; i++) if (pred[i] === truth[i]) correct++;
      return correct / n;
    },
    predict,
  };
}

/** The model's weights as a safetensors file (device weights are read back first). */
export async function modelToSafetensors(model: Sequential): Promise<Uint8Array> {
  const entries = Object.entries(model.stateDict()).map(async ([name, w]) => {
    const host = w.onDevice ? new np.NDArray(await w.data(), [...w.shape], w.dtype) : w;
    return [name, host] as const;
  });
  return serializeSafetensors(Object.fromEntries(await Promise.all(entries)), {
    format: "chainrule-playground fashion-mlp 784-128-10",
  });
}

/** Loads a safetensors file into the model, all or nothing; errors name the file. */
export function loadSafetensorsInto(model: Sequential, bytes: Uint8Array, fileName: string): void {
  try {
    model.loadStateDict(parseSafetensors(bytes).tensors);
  } catch (e) {
    throw new Error(`${fileName}: ${(e as Error).message}`);
  }
}
