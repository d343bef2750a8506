import type { DType, TypedArray } from "./dtype";
import type { NDArray } from "./ndarray";
import type { PrimitiveKernels } from "./define";

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

/**
 * Elements that live outside JS memory (a GPU buffer, …): an opaque handle owned by one device backend.
 * NDArrays over device storage have no `buffer`; their values are read with `await x.data()`.
 */
export interface DeviceStorage {
  /** The backend that owns it (for error messages). */
  readonly backend: string;
  /** Capacity in elements. */
  readonly length: number;
}

/** How a device backend allocates, fills and reads its memory. */
export interface DeviceMemory {
  /** Fresh storage for `size` elements of `dtype`, zero-filled. */
  allocate(dtype: DType, size: number): DeviceStorage;
  /** The array's elements on this device: itself when they are already there, else an upload (row-major). */
  accept(x: NDArray): NDArray;
  /** Reads `size` elements of the storage from `offset`, row-major as stored. */
  read(storage: DeviceStorage, dtype: DType, offset: number, size: number): Promise<TypedArray>;
  /** Overwrites the storage from `offset` with `values` (an in-place update of a parameter, a feed). */
  write(storage: DeviceStorage, dtype: DType, offset: number, values: TypedArray): void;
}

/**
 * Whole updates (optimizer steps, …) that a backend may run itself. Empty here on purpose: the
 * packages that own an update add it by declaration merging (`@chainrule/optim` adds `adam`), so the
 * array core knows no optimizer. Each returns false when it declines the arrays it was given.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface FusedKernels {}

/** One member of a fused elementwise group, in evaluation order. */
export interface ElementwiseMember {
  readonly op: UnaryOp | BinaryOp | "cast" | "where";
  /** The member's dtype: its value is rounded as storing it in an array of this dtype would. */
  readonly dtype: DType;
  /** cast: the target dtype. */
  readonly castTo?: DType;
  /** A member's index (≥ 0), or -(k + 1) for external input k. */
  readonly operands: readonly number[];
}

/** A fused elementwise group as data (the graph's fuser builds it), so a backend can run it its own way. */
export interface ElementwiseGroup {
  /** In evaluation order; the last one is the output. */
  readonly members: readonly ElementwiseMember[];
  /** External inputs, each of the output's shape (any strides, stride 0 where broadcast). */
  readonly ext: readonly NDArray[];
  /** For externals that never change (constants broadcast from one value): the value, to inline. */
  readonly extLiteral: readonly (number | undefined)[];
  /** The output, contiguous. */
  readonly out: NDArray;
}

interface BackendBase {
  readonly name: string;
  /** Optional whole updates (their owners look here first). */
  readonly fused?: FusedKernels;
  /**
   * Compiles a fused elementwise group into one call of this backend's own (one wasm loop, one shader), run
   * each time the graph runs; `undefined` declines, and the graph runs its generated JS loop instead.
   */
  readonly compileElementwise?: (group: ElementwiseGroup) => (() => void) | undefined;
  /** Its kernels for primitives defined outside the core (`definePrimitive`), keyed by the primitive object. */
  readonly primitiveKernels?: PrimitiveKernels;
}

/**
 * A backend over JS typed arrays: it overrides the kernels that pay off (a `Partial` table); every
 * other primitive runs the reference kernel of the js backend.
 */
export interface HostBackend extends BackendBase {
  readonly kernels: Partial<KernelTable>;
  readonly device?: undefined;
  /** Where long-lived buffers (a traced plan's) go so that this backend's kernels use them in place. */
  readonly residentMemory?: ResidentMemory;
}

/**
 * Typed arrays in a host backend's own memory (wasm linear memory), which its kernels read and write
 * without copying. They are ordinary typed arrays to every other kernel.
 */
export interface ResidentMemory {
  /** A zeroed contiguous typed array of `size` elements; its memory is freed once `owner` is garbage. */
  allocate(dtype: DType, size: number, owner: object): TypedArray;
}

/** A backend whose memory is not a JS typed array (WebGPU): it must supply every kernel. */
export interface DeviceBackend extends BackendBase {
  readonly kernels: KernelTable;
  readonly device: DeviceMemory;
}

/** A compute backend: kernels checked at compile time, and how its memory works. */
export type Backend = HostBackend | DeviceBackend;
