// The NumPy-style methods of NDArray (`x.add(y).sum(0)`); methods.ts attaches them to the prototype from a table
// typed by this interface, so a method declared here without an implementation there is a compile error.
import type { DType } from "./dtype";
import type { NDArray } from "./ndarray";
import type { Axis } from "./ops/reduce";
import type { SliceSpec } from "./ops/slice";
import type { Input } from "./ops/util";
import type { BinaryOp, UnaryOp } from "./primitive";

/** `x.exp()` for every unary op: a new row in the unary table is a new method, with nothing else to edit. */
export type UnaryMethods = { [K in UnaryOp]: () => NDArray };
/** `a.add(b)` for every binary op. */
export type BinaryMethods = { [K in BinaryOp]: (b: Input) => NDArray };

export interface NDArrayMethods extends UnaryMethods, BinaryMethods {
  square(): NDArray;
  reciprocal(): NDArray;
  leakyRelu(alpha?: number): NDArray;
  clip(lo?: number | NDArray, hi?: number | NDArray): NDArray;
  sum(axis?: Axis, keepdims?: boolean): NDArray;
  mean(axis?: Axis, keepdims?: boolean): NDArray;
  prod(axis?: Axis, keepdims?: boolean): NDArray;
  max(axis?: Axis, keepdims?: boolean): NDArray;
  min(axis?: Axis, keepdims?: boolean): NDArray;
  argmax(axis?: number, keepdims?: boolean): NDArray;
  argmin(axis?: number, keepdims?: boolean): NDArray;
  var(axis?: Axis, keepdims?: boolean, ddof?: number): NDArray;
  std(axis?: Axis, keepdims?: boolean, ddof?: number): NDArray;
  logsumexp(axis?: Axis, keepdims?: boolean): NDArray;
  softmax(axis?: number): NDArray;
  logSoftmax(axis?: number): NDArray;
  matmul(b: NDArray): NDArray;
  dot(b: NDArray): NDArray;
  reshape(shape: readonly number[]): NDArray;
  reshape(...shape: number[]): NDArray;
  transpose(perm?: readonly number[]): NDArray;
  permute(perm: readonly number[]): NDArray;
  readonly T: NDArray;
  readonly mT: NDArray;
  broadcastTo(shape: readonly number[]): NDArray;
  squeeze(axis?: number | readonly number[]): NDArray;
  unsqueeze(axis: number): NDArray;
  flatten(startAxis?: number, endAxis?: number): NDArray;
  slice(spec: string | readonly SliceSpec[]): NDArray;
  gather(indices: NDArray | readonly number[], axis?: number): NDArray;
  contiguous(): NDArray;
  detach(): NDArray;
  astype(dtype: DType): NDArray;
  /** Releases the buffer now (`dispose(x)`): it goes back to the pool, and later use throws. */
  dispose(): void;
  /** Whether the array was disposed, by `dispose` or by the `tidy` scope it was made in. */
  readonly isDisposed: boolean;
}
