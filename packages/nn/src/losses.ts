import * as np from "@chainrule/ndarray";
import { NDArray, ShapeError, isFloat, formatShape } from "@chainrule/ndarray";

/** How per-element (or per-sample) losses are combined: their mean (default), their sum, or not at all. */
export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  reduction?: Reduction;
}

function reduce(x: NDArray, reduction: Reduction = "mean"): NDArray {
  switch (reduction) {
    case "mean":
      return np.mean(x);
    case "sum":
      return np.sum(x);
    case "none":
      return x;
    default:
      throw new TypeError(`loss: unknown reduction '${String(reduction)}' (mean, sum or none)`);
  }
}

function sameShape(op: string, a: NDArray, b: NDArray): void {
  if (!np.shapesEqual(a.shape, b.shape)) {
    // Broadcasting [N, 1] against [N] would silently give an [N, N] loss: refuse it.
    throw new ShapeError(
      `${op}: predictions ${formatShape(a.shape)} and targets ${formatShape(b.shape)} must have the same shape (reshape one of them)`,
    );
  }
}

// Targets may be labels of any dtype; losses are computed in the predictions' float dtype.
function asFloatLike(t: NDArray, like: NDArray): NDArray {
  const d = isFloat(like.dtype) ? like.dtype : "float32";
  return t.dtype === d ? t : np.cast(t, d);
}

/**
 * mean((pred − target)²) over every element (PyTorch's MSELoss; Keras averages the last axis first, which is
 * the same number when every sample has the same size).
 */
export function meanSquaredError(pred: NDArray, target: NDArray, options: LossOptions = {}): NDArray {
  sameShape("meanSquaredError", pred, target);
  const d = np.sub(pred, asFloatLike(target, pred));
  return reduce(np.mul(d, d), options.reduction);
}

export interface BinaryCrossEntropyOptions extends LossOptions {
  /** Probabilities are clipped to [epsilon, 1 − epsilon] first (default 1e-7, as Keras). */
  epsilon?: number;
}

/**
 * −[t·log p + (1 − t)·log(1 − p)] on probabilities `prob` (e.g. a sigmoid output), averaged over every
 * element. `prob` is clipped to [ε, 1 − ε], so saturated outputs give a large finite loss, not Infinity;
 * the clipped elements get zero gradient. Prefer `binaryCrossEntropyWithLogits` when you have the logits.
 */
export function binaryCrossEntropy(
  prob: NDArray,
  target: NDArray,
  options: BinaryCrossEntropyOptions = {},
): NDArray {
  sameShape("binaryCrossEntropy", prob, target);
  const eps = options.epsilon ?? 1e-7;
  const t = asFloatLike(target, prob);
  const p = np.clip(prob, eps, 1 - eps);
  const ll = np.add(np.mul(t, np.log(p)), np.mul(np.sub(1, t), np.log(np.sub(1, p))));
  return reduce(np.neg(ll), options.reduction);
}

/**
 * Binary cross-entropy of sigmoid(logits), computed stably as max(x, 0) − x·t + log(1 + e^−|x|)
 * (TensorFlow's formulation): finite values and gradients (sigmoid(x) − t) for any logits.
 */
export function binaryCrossEntropyWithLogits(
  logits: NDArray,
  target: NDArray,
  options: LossOptions = {},
): NDArray {
  sameShape("binaryCrossEntropyWithLogits", logits, target);
  const t = asFloatLike(target, logits);
  const x = logits;
  const l = np.add(np.sub(np.relu(x), np.mul(x, t)), np.log1p(np.exp(np.neg(np.abs(x)))));
  return reduce(l, options.reduction);
}

/**
 * −Σ_c t_c · log softmax(x)_c along the last axis, averaged over the samples (the other axes). `targets` are
 * one-hot (or any probability distribution) of the same shape as `logits`. Uses logSoftmax, so it is
 * finite for any logits; its gradient with respect to the logits is (softmax(x) − t)/N.
 */
export function softmaxCrossEntropy(logits: NDArray, targets: NDArray, options: LossOptions = {}): NDArray {
  sameShape("softmaxCrossEntropy", logits, targets);
  if (logits.ndim === 0) throw new ShapeError("softmaxCrossEntropy: logits need a class axis, got a scalar");
  const t = asFloatLike(targets, logits);
  const perSample = np.neg(np.sum(np.mul(t, np.logSoftmax(logits, -1)), -1));
  return reduce(perSample, options.reduction);
}

/** Integer class labels as an Int32Array, checked against the number of classes. */
export function labelIndices(labels: NDArray | ArrayLike<number>, classes: number, op: string): Int32Array {
  const data = labels instanceof NDArray ? labels.dataSync() : labels;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new RangeError(`${op}: label ${v} at index ${i} is not an integer in [0, ${classes})`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Softmax cross-entropy with integer class labels: −log softmax(x)[label], averaged over the samples.
 * `logits` is `[..., C]` and `labels` has its leading shape (`[N]` for `[N, C]`), any integer values in
 * [0, C) (int32, uint8, or integral floats, or a JS array).
 */
export function sparseSoftmaxCrossEntropy(
  logits: NDArray,
  labels: NDArray | readonly number[],
  options: LossOptions = {},
): NDArray {
  if (logits.ndim === 0)
    throw new ShapeError("sparseSoftmaxCrossEntropy: logits need a class axis, got a scalar");
  const C = logits.shape[logits.ndim - 1]!;
  const lead = logits.shape.slice(0, -1);
  const labelShape = labels instanceof NDArray ? labels.shape : [labels.length];
  if (
    np.sizeOf(labelShape) !== np.sizeOf(lead) ||
    (labels instanceof NDArray && !np.shapesEqual(labelShape, lead))
  ) {
    throw new ShapeError(
      `sparseSoftmaxCrossEntropy: logits ${formatShape(logits.shape)} need labels of shape ${formatShape(lead)}, got ${formatShape(labelShape)}`,
    );
  }
  const idx = labelIndices(labels, C, "sparseSoftmaxCrossEntropy"); // validates the values
  const n = idx.length;
  // Pick log p[i, label_i] from the flat log-probabilities: one gather, no one-hot matrix. The positions
  // i·C + label_i are computed from the labels array itself, not from a copy of its values, so a graph
  // traced by @chainrule/graph reads the labels fed on each run instead of baking in the first ones.
  const lab =
    labels instanceof NDArray ? np.cast(np.reshape(labels, [n]), "int32") : new NDArray(idx, [n], "int32");
  const logp = np.reshape(np.logSoftmax(logits, -1), [-1]);
  const picked = np.gather(logp, np.add(np.arange(0, n * C, C, "int32"), lab));
  return reduce(np.reshape(np.neg(picked), lead), options.reduction);
}
