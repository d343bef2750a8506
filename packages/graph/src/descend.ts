import { getBackend, isFloat, matmulAccumulate, ShapeError, type NDArray } from "@chainrule/ndarray";
import { fmtShape } from "./errors";

/** One fused SGD step through a product, θ ← θ − lr·(a @ b) (what `descendMatmul` computes). */
export interface DescentStep {
  readonly theta: NDArray;
  readonly a: NDArray;
  readonly b: NDArray;
  readonly lr: number;
}

// The slot a backend may fill with its own descent-through-a-product (declaration merging, as optim's
// `adam`): the array core knows no optimizer.
declare module "@chainrule/ndarray" {
  interface FusedKernels {
    /** θ ← θ − lr·round(a @ b) in place; false declines. */
    descendMatmul?(s: DescentStep): boolean;
  }
}

// Built only for an error message: descendMatmul runs once per weight matrix per training step.
function shapes(theta: NDArray, a: NDArray, b: NDArray): string {
  return `θ ${fmtShape(theta.shape)}, a ${fmtShape(a.shape)}, b ${fmtShape(b.shape)}`;
}

function check(theta: NDArray, a: NDArray, b: NDArray, lr: number): void {
  if (a.ndim !== 2 || b.ndim !== 2 || theta.ndim !== 2)
    throw new ShapeError(`descendMatmul: θ, a and b must be 2-D, got ${shapes(theta, a, b)}`);
  const [m, k] = a.shape as [number, number];
  if (b.shape[0] !== k || theta.shape[0] !== m || theta.shape[1] !== b.shape[1])
    throw new ShapeError(`descendMatmul: θ must have the shape of a @ b, got ${shapes(theta, a, b)}`);
  if (!isFloat(theta.dtype) || a.dtype !== theta.dtype || b.dtype !== theta.dtype)
    throw new TypeError(
      `descendMatmul: θ, a and b must share one float dtype, got ${theta.dtype}, ${a.dtype}, ${b.dtype}`,
    );
  if (!theta.isContiguous)
    throw new TypeError(`descendMatmul: θ must be contiguous (${shapes(theta, a, b)})`);
  if (!Number.isFinite(lr)) throw new RangeError(`descendMatmul: lr must be finite, got ${lr}`);
}

/**
 * SGD's step through a matrix product, θ ← θ − lr·(a @ b), without materialising the gradient a @ b
 * (per-sample training's weight gradient xᵀ·δ is such a product; a traced graph fuses the update into
 * it). Each product element is rounded to θ's dtype before the step, so θ ends bit-identical to
 * `θ − lr·matmul(a, b)` for the small products it is meant for. θ must be contiguous (a Variable is);
 * a and b may be any views. Not recorded on a tape. A backend may run it itself (`fused.descendMatmul`).
 */
export function descendMatmul(theta: NDArray, a: NDArray, b: NDArray, lr: number): void {
  check(theta, a, b, lr);
  if (lr === 0) return;
  if (getBackend().fused?.descendMatmul?.({ theta, a, b, lr })) return;
  // The plain small-product loop, as matmul's: θ + (−lr)·round(a @ b) is exactly θ − lr·round(a @ b).
  matmulAccumulate(theta, a, b, -lr);
}
