import { allocate, isFloat, NDArray, reshape, formatShape, type DType } from "@chainrule/ndarray";

export interface NormalizeOptions {
  /** Multiplier applied first. Default 1/255 (bytes to [0, 1]). */
  scale?: number;
  /** Subtracted after scaling. Default 0. */
  mean?: number;
  /** Divides after subtracting the mean. Default 1. */
  std?: number;
  /** Output dtype: float32 (default) or float64. */
  dtype?: DType;
}

/** `(images * scale - mean) / std` as a new float array of the same shape, in one pass. */
export function normalizeImages(images: NDArray, options: NormalizeOptions = {}): NDArray {
  const { scale = 1 / 255, mean = 0, std = 1, dtype = "float32" } = options;
  if (!isFloat(dtype)) throw new TypeError(`normalizeImages: dtype must be float32 or float64, got ${dtype}`);
  if (!(std !== 0 && Number.isFinite(std)))
    throw new RangeError(`normalizeImages: std must be finite and non-zero, got ${std}`);
  const src = images.dataSync();
  const out = allocate(dtype, src.length);
  // Folded into one multiply-add per element: x * (scale / std) - mean / std.
  const a = scale / std;
  const b = -mean / std;
  if (b === 0) for (let i = 0; i < src.length; i++) out[i] = src[i]! * a;
  else for (let i = 0; i < src.length; i++) out[i] = src[i]! * a + b;
  return new NDArray(out, [...images.shape], dtype);
}

/** [N, ...] to [N, product of the rest] (a view when the images are contiguous). */
export function flattenImages(images: NDArray): NDArray {
  if (images.ndim < 1) throw new RangeError(`flattenImages: expected [N, ...], got a scalar`);
  return reshape(images, [images.shape[0]!, images.shape.slice(1).reduce((a, b) => a * b, 1)]);
}

/** Integer class labels [N] to one-hot rows [N, numClasses]. */
export function oneHotLabels(
  labels: NDArray | ArrayLike<number>,
  numClasses: number,
  dtype: DType = "float32",
): NDArray {
  if (labels instanceof NDArray && labels.ndim !== 1) {
    throw new RangeError(`oneHotLabels: labels must have shape [N], got ${formatShape(labels.shape)}`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`oneHotLabels: numClasses must be a positive integer, got ${numClasses}`);
  }
  const values = labels instanceof NDArray ? labels.dataSync() : labels;
  const out = allocate(dtype, values.length * numClasses);
  for (let i = 0; i < values.length; i++) {
    const c = values[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new RangeError(`oneHotLabels: label ${c} at index ${i} is outside 0..${numClasses - 1}`);
    }
    out[i * numClasses + c] = 1;
  }
  return new NDArray(out, [values.length, numClasses], dtype);
}
