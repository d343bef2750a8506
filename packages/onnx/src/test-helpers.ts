import * as ort from "onnxruntime-node";
import { Random, fromTypedArray, type NDArray } from "@chainrule/ndarray";
import { Dense, Flatten, Sequential, initializers } from "@chainrule/nn";
import { fashionCnn } from "@chainrule/layer-conv";

/** Runs an .onnx file with onnxruntime (the reference) on one float32 input. */
export async function runOrt(bytes: Uint8Array, x: NDArray): Promise<{ data: Float32Array; dims: number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const input = new ort.Tensor("float32", Float32Array.from(x.dataSync() as ArrayLike<number>), [...x.shape]);
  const out = await session.run({ [session.inputNames[0]!]: input });
  const y = out[session.outputNames[0]!]!;
  return { data: y.data as Float32Array, dims: [...y.dims] };
}

/** Uniform floats in [lo, hi) from a seeded generator. */
export function randomInput(shape: number[], seed: number, lo = 0, hi = 1): NDArray {
  const rng = new Random(seed);
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * rng.random();
  return fromTypedArray(data, shape, "float32");
}

/** Largest |a − b| / max(1, |b|). */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

// The apps' networks, rebuilt here (apps are not packages): apps/fashion-mnist's MLP and apps/moons' network.
export function fashionMlp(seed: number): Sequential {
  return new Sequential(
    [
      new Flatten({ inputShape: [28, 28] }),
      new Dense(256, { inputDim: 784, activation: "relu" }),
      new Dense(128, { inputDim: 256, activation: "relu" }),
      new Dense(64, { inputDim: 128, activation: "relu" }),
      new Dense(32, { inputDim: 64, activation: "relu" }),
      new Dense(10, { inputDim: 32 }),
    ],
    { seed },
  );
}

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

export { fashionCnn };
