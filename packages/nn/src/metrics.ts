import { NDArray, ShapeError } from "@chainrule/ndarray";

type Values = NDArray | ArrayLike<number>;

const flat = (x: Values): ArrayLike<number> => (x instanceof NDArray ? x.dataSync() : x);

/** The fraction of positions where `pred` equals `labels` (same number of elements), as a JS number. */
export function accuracy(pred: Values, labels: Values): number {
  const p = flat(pred);
  const l = flat(labels);
  if (p.length !== l.length) {
    throw new ShapeError(`accuracy: ${p.length} predictions but ${l.length} labels`);
  }
  if (p.length === 0) return NaN;
  let hits = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === l[i]) hits++;
  return hits / p.length;
}

/**
 * The fraction of outputs on the right side of `threshold`: predicted 1 when `probs > threshold` (as Keras),
 * compared with 0/1 labels. Pass `threshold: 0` to use logits. Shapes may differ ([N, 1] against [N]) as
 * long as the element counts match.
 */
export function binaryAccuracy(probs: Values, labels: Values, threshold = 0.5): number {
  const p = flat(probs);
  const l = flat(labels);
  if (p.length !== l.length) {
    throw new ShapeError(`binaryAccuracy: ${p.length} predictions but ${l.length} labels`);
  }
  if (p.length === 0) return NaN;
  let hits = 0;
  for (let i = 0; i < p.length; i++) if ((p[i]! > threshold ? 1 : 0) === (l[i]! > 0.5 ? 1 : 0)) hits++;
  return hits / p.length;
}

// argmax of each row of a flat [rows, C] buffer (first wins ties, as np.argmax).
function rowArgmax(d: ArrayLike<number>, rows: number, C: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bv = d[r * C]!;
    for (let c = 1; c < C; c++) {
      const v = d[r * C + c]!;
      if (v > bv || (Number.isNaN(v) && !Number.isNaN(bv))) {
        best = c;
        bv = v;
      }
    }
    out[r] = best;
  }
  return out;
}

/**
 * The fraction of samples whose largest score (logit or probability, last axis) is at the true class.
 * `labels` are integer classes (`[N]`) or one-hot / probability rows (`[N, C]`, argmax taken).
 */
export function categoricalAccuracy(scores: NDArray, labels: Values): number {
  if (scores.ndim === 0) throw new ShapeError("categoricalAccuracy: scores need a class axis, got a scalar");
  const C = scores.shape[scores.ndim - 1]!;
  const rows = scores.size / C;
  const pred = rowArgmax(scores.dataSync(), rows, C);
  const l = flat(labels);
  let truth: ArrayLike<number>;
  if (l.length === rows) truth = l;
  else if (l.length === rows * C) truth = rowArgmax(l, rows, C);
  else {
    throw new ShapeError(
      `categoricalAccuracy: ${rows} samples of ${C} classes need ${rows} labels or ${rows}×${C} one-hot rows, got ${l.length} values`,
    );
  }
  return accuracy(pred, truth);
}
