import type { DType } from "./dtype";
import type { NDArray } from "./ndarray";

/**
 * The vector-Jacobian product of a primitive: given the gradient `g` of its output, return the
 * gradient for each input (null when the input needs none or has none). Rules are written with
 * array ops, so while an outer tape records they are differentiated again (higher order).
 * Elementwise primitives (binary ops, where) take operands in their own shapes and broadcast inside
 * the kernel, so their rules may return gradients in the output's (broadcast) shape: the caller sums
 * each one back to its input's shape (autograd's backward pass does, in one place).
 */
export type VJP<P> = (
  g: NDArray,
  inputs: readonly NDArray[],
  output: NDArray,
  params: P,
  needs: readonly boolean[],
) => (NDArray | null)[];

/**
 * A primitive is an object, not a name in a registry: the tape stores the object itself, so
 * primitives defined by outside packages (and two copies of this package) never collide.
 */
export interface Primitive<P = any> {
  readonly name: string;
  readonly vjp: VJP<P>;
}

export type UnaryOp =
  | "neg"
  | "abs"
  | "sign"
  | "exp"
  | "log"
  | "log1p"
  | "expm1"
  | "sqrt"
  | "sin"
  | "cos"
  | "tanh"
  | "sigmoid"
  | "relu"
  | "floor"
  | "ceil"
  | "round";

export type ArithOp = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum";
export type CompareOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge";
export type BinaryOp = ArithOp | CompareOp;
export type ReduceOp = "sum" | "prod" | "max" | "min";

/** Parameters of every built-in primitive, keyed by name. */
export type PrimParams = { [K in UnaryOp]: {} } & { [K in BinaryOp]: {} } & {
  [K in ReduceOp]: { axes: readonly number[] };
} & {
  argmax: { axis: number };
  argmin: { axis: number };
  where: {};
  cast: { dtype: DType };
  matmul: {};
  copy: {};
  // views: no kernel, they only re-describe the buffer
  reshape: { shape: readonly number[] };
  permute: { perm: readonly number[] };
  expand: { shape: readonly number[] };
  slice: { starts: readonly number[]; steps: readonly number[]; shape: readonly number[] };
  // structure
  unslice: { shape: readonly number[]; starts: readonly number[]; steps: readonly number[] };
  concat: { axis: number };
  gather: { axis: number };
  scatterAdd: { axis: number; size: number };
};

export type PrimName = keyof PrimParams;

export interface BuiltinPrimitive<K extends PrimName> extends Primitive<PrimParams[K]> {
  readonly name: K;
}

/** One gradient rule per built-in primitive: a primitive without a rule is a compile error. */
export type PrimitiveTable<K extends PrimName> = { readonly [N in K]: BuiltinPrimitive<N> };
export type ViewPrim = "reshape" | "permute" | "expand" | "slice";
/** Primitives that compute: every backend must provide a kernel for each of these. */
export type KernelPrim = Exclude<PrimName, ViewPrim>;

/**
 * A kernel fills `out`, a fresh contiguous array of the right shape and dtype, from its inputs.
 * Inputs may be strided views (transposed, broadcast with zero strides, sliced).
 */
export type Kernel<K extends KernelPrim> = (
  inputs: readonly NDArray[],
  params: PrimParams[K],
  out: NDArray,
) => void;

export type KernelTable = { [K in KernelPrim]: Kernel<K> };

/** One Adam/AdamW step on one parameter, in place (see @chainrule/optim's `adamUpdate`). */
export interface AdamStep {
  param: Float32Array | Float64Array;
  grad: ArrayLike<number>;
  /** First and second moments, updated in place. */
  m: Float32Array | Float64Array;
  v: Float32Array | Float64Array;
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** The parameter's update count, from 1 (bias correction). */
  step: number;
}

/**
 * Whole training updates a backend may run itself (no graph, no tape). Each returns false when it
 * declines the arrays it was given (dtype, size), and the caller runs its own loop instead.
 */
export interface FusedKernels {
  adam?(s: AdamStep): boolean;
}

/** A compute backend: one kernel per computing primitive, checked at compile time. */
export interface Backend {
  readonly name: string;
  readonly kernels: KernelTable;
  /** Optional fused updates (optimizers look here first). */
  readonly fused?: FusedKernels;
}
