import { formatShape } from "@chainrule/ndarray";
import * as np from "@chainrule/ndarray";
import type { NDArray } from "@chainrule/ndarray";

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh form (GPT-2's, Keras `approximate=True`): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function gelu(x: NDArray): NDArray {
  const inner = np.mul(np.add(x, np.mul(np.mul(np.mul(x, x), x), 0.044715)), GELU_C);
  return np.mul(np.mul(x, 0.5), np.add(np.tanh(inner), 1));
}

/** Normalises over the last axis (biased variance, as PyTorch), then scales by `gamma` and shifts by `beta`. */
export function layerNorm(x: NDArray, gamma: NDArray, beta: NDArray, eps = 1e-5): NDArray {
  const d = x.shape[x.ndim - 1];
  if (x.ndim === 0 || d !== gamma.shape[0] || gamma.ndim !== 1 || !np.shapesEqual(gamma.shape, beta.shape)) {
    throw new np.ShapeError(
      `layerNorm: expected x [..., D] with gamma and beta [D], got x ${formatShape(x.shape)}, gamma ${formatShape(gamma.shape)}, beta ${formatShape(beta.shape)}`,
    );
  }
  const xc = np.sub(x, np.mean(x, -1, true));
  const inv = np.div(1, np.sqrt(np.add(np.mean(np.mul(xc, xc), -1, true), eps)));
  return np.add(np.mul(np.mul(xc, inv), gamma), beta);
}

/** Rows of `table` [V, D] picked by integer `ids` of any shape: the result is [...ids.shape, D]. */
export function embedding(table: NDArray, ids: NDArray): NDArray {
  if (table.ndim !== 2)
    throw new np.ShapeError(`embedding: expected a [V, D] table, got ${formatShape(table.shape)}`);
  return np.gather(table, ids, 0);
}

/** `true` where query t may attend to key s (s ≤ t): the lower triangle of a [T, T] matrix. */
export function causalMask(T: number): NDArray {
  const data = new Uint8Array(T * T);
  for (let t = 0; t < T; t++) for (let s = 0; s <= t; s++) data[t * T + s] = 1;
  return np.fromTypedArray(data, [T, T], "bool");
}

export interface AttentionOptions {
  /** Mask future positions (default true). */
  causal?: boolean;
  /** Applied to the attention weights after the softmax (dropout, in training): identity when absent. */
  dropWeights?: (weights: NDArray) => NDArray;
}

/**
 * Scaled dot-product attention of q, k, v [B, H, T, Dh]: softmax(q·kᵀ/√Dh, masked) · v, [B, H, T, Dh].
 * Masked scores are −∞ before the softmax, so their weights are exactly 0 and get no gradient.
 */
export function scaledDotProductAttention(
  q: NDArray,
  k: NDArray,
  v: NDArray,
  options: AttentionOptions = {},
): NDArray {
  if (q.ndim !== 4 || !np.shapesEqual(q.shape, k.shape) || !np.shapesEqual(q.shape, v.shape)) {
    throw new np.ShapeError(
      `scaledDotProductAttention: expected q, k, v of one shape [B, H, T, Dh], got ${formatShape(q.shape)}, ${formatShape(k.shape)}, ${formatShape(v.shape)}`,
    );
  }
  const T = q.shape[2]!;
  let scores = np.mul(np.matmul(q, np.mT(k)), 1 / Math.sqrt(q.shape[3]!));
  if (options.causal ?? true) scores = np.where(causalMask(T), scores, -Infinity);
  let weights = np.softmax(scores, -1);
  if (options.dropWeights) weights = options.dropWeights(weights);
  return np.matmul(weights, v);
}

/** [B, T, H·Dh] → [B, H, T, Dh]. */
export function splitHeads(x: NDArray, heads: number): NDArray {
  const [B, T, C] = x.shape as [number, number, number];
  return np.permute(np.reshape(x, [B, T, heads, C / heads]), [0, 2, 1, 3]);
}

/** [B, H, T, Dh] → [B, T, H·Dh]. */
export function mergeHeads(x: NDArray): NDArray {
  const [B, H, T, D] = x.shape as [number, number, number, number];
  return np.reshape(np.permute(x, [0, 2, 1, 3]), [B, T, H * D]);
}

export interface MultiHeadAttentionWeights {
  /** [C, C] projections (Keras layout, y = x·W) and their [C] biases. */
  wq: NDArray;
  wk: NDArray;
  wv: NDArray;
  wo: NDArray;
  bq: NDArray;
  bk: NDArray;
  bv: NDArray;
  bo: NDArray;
}

/** Multi-head self-attention of x [B, T, C] with `heads` heads: the function the layer and its tests share. */
export function multiHeadAttention(
  x: NDArray,
  w: MultiHeadAttentionWeights,
  heads: number,
  options: AttentionOptions = {},
): NDArray {
  const C = w.wq.shape[0]!;
  if (x.ndim !== 3 || x.shape[2] !== C) {
    throw new np.ShapeError(`multiHeadAttention: expected x [B, T, ${C}], got ${formatShape(x.shape)}`);
  }
  const proj = (wm: NDArray, b: NDArray) => splitHeads(np.add(np.matmul(x, wm), b), heads);
  const y = scaledDotProductAttention(proj(w.wq, w.bq), proj(w.wk, w.bk), proj(w.wv, w.bv), options);
  return np.add(np.matmul(mergeHeads(y), w.wo), w.bo);
}

/** The fixed sinusoidal encoding of "Attention is all you need": PE[t, 2i] = sin(t/10000^(2i/D)), PE[t, 2i+1] = cos(…). */
export function sinusoidalEncoding(length: number, dim: number, dtype: np.DType = "float32"): NDArray {
  const out = new Float64Array(length * dim);
  for (let t = 0; t < length; t++) {
    for (let j = 0; j < dim; j++) {
      const angle = t / Math.pow(10000, (2 * Math.floor(j / 2)) / dim);
      out[t * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return np.cast(np.fromTypedArray(out, [length, dim], "float64"), dtype);
}
