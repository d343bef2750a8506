// Ops built from primitives only: their gradients (of any order) come from the primitives' rules.
import { floatOf } from "../dtype";
import { NDArray } from "../ndarray";
import { normalizeAxes, normalizeAxis, sizeOf } from "../shape";
import { full } from "../creation";
import { asOp } from "../errors";
import { add, div, gt, lt, maximum, minimum, mul, sub } from "./binary";
import { cast } from "./cast";
import { type Axis, max, mean, sum } from "./reduce";
import { abs, exp, log, sqrt } from "./unary";
import { reshape } from "./views";
import { where } from "./where";

export const square = (x: NDArray) => mul(x, x);
export const reciprocal = (x: NDArray) => div(1, x);

/** x for x > 0, `alpha`·x otherwise. */
export const leakyRelu = (x: NDArray, alpha = 0.2) => where(gt(x, 0), x, mul(x, alpha));

function arrayArg(x: NDArray, op: string): NDArray {
  if (!(x instanceof NDArray))
    throw new TypeError(
      `${op}: expected an NDArray, got ${Array.isArray(x) ? "a JS array (wrap it with array())" : typeof x}`,
    );
  return x;
}

/** Limits values to [lo, hi] (either bound may be omitted). */
export function clip(x: NDArray, lo?: number | NDArray, hi?: number | NDArray): NDArray {
  let y = x;
  if (lo !== undefined) y = asOp("clip", "maximum", () => maximum(y, lo));
  if (hi !== undefined) y = asOp("clip", "minimum", () => minimum(y, hi));
  return y;
}

/** The same values, cut off from differentiation (no recorder sees where they came from). */
export function detach(x: NDArray): NDArray {
  return new NDArray(x.storage, x.shape, x.dtype, x.strides, x.offset);
}

export const stopGradient = detach;

/** Variance with `ddof` delta degrees of freedom (0: population, 1: sample). */
export function variance(x: NDArray, axis?: Axis, keepdims = false, ddof = 0): NDArray {
  const axes = normalizeAxes(axis, x.ndim, "var");
  const n = sizeOf(axes.map((a) => x.shape[a]!));
  const xf = cast(x, floatOf(x.dtype));
  const d = sub(xf, mean(xf, axes, true));
  return div(sum(mul(d, d), axes, keepdims), n - ddof);
}

export const std = (x: NDArray, axis?: Axis, keepdims = false, ddof = 0) =>
  sqrt(variance(x, axis, keepdims, ddof));

/**
 * log(sum(exp(x))) without overflow: the max is subtracted first. The shift is detached (it
 * cancels exactly), and non-finite maxima are replaced by 0, so rows that are all -inf give -inf
 * and rows containing +inf give +inf, not NaN. An empty reduction gives -inf (log 0).
 */
export function logsumexp(x: NDArray, axis?: Axis, keepdims = false): NDArray {
  const axes = normalizeAxes(axis, x.ndim, "logsumexp");
  const xf = cast(x, floatOf(x.dtype));
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  let out: NDArray;
  if (sizeOf(axes.map((a) => x.shape[a]!)) === 0) out = full(kept, -Infinity, xf.dtype);
  else {
    const mRaw = detach(max(xf, axes, true));
    const m = where(lt(abs(mRaw), Infinity), mRaw, 0);
    out = add(log(sum(exp(sub(xf, m)), axes, true)), m);
  }
  return keepdims
    ? out
    : reshape(
        out,
        x.shape.filter((_, i) => !axes.includes(i)),
      );
}

/** log of softmax, computed as x - logsumexp(x). */
export function logSoftmax(x: NDArray, axis = -1): NDArray {
  const ax = normalizeAxis(axis, arrayArg(x, "logSoftmax").ndim, "logSoftmax");
  if (x.shape[ax] === 0) return cast(x, floatOf(x.dtype)); // nothing to normalise: an empty result
  return sub(x, logsumexp(x, ax, true));
}

/** exp(x) / sum(exp(x)) along `axis`, shifted by the max for stability. */
export function softmax(x: NDArray, axis = -1): NDArray {
  const ax = normalizeAxis(axis, arrayArg(x, "softmax").ndim, "softmax");
  if (x.shape[ax] === 0) return cast(x, floatOf(x.dtype)); // nothing to normalise: an empty result
  const xf = cast(x, floatOf(x.dtype));
  const e = exp(sub(xf, detach(max(xf, ax, true))));
  return div(e, sum(e, ax, true));
}
