import { zeroed } from "./slab";

/** The element types an NDArray can hold. `bool` is stored as one byte per element. */
export type DType = "float32" | "float64" | "int32" | "uint8" | "bool";

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export type TypedArrayFor<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "float64"
    ? Float64Array
    : D extends "int32"
      ? Int32Array
      : Uint8Array;

export const DTYPES: readonly DType[] = ["bool", "uint8", "int32", "float32", "float64"];

const RANK: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, float32: 3, float64: 4 };

export function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64";
}

/** A zeroed array for `size` elements of `dtype` (small ones share slabs: src/slab.ts). */
export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return zeroed(Float32Array, size);
    case "float64":
      return zeroed(Float64Array, size);
    case "int32":
      return zeroed(Int32Array, size);
    case "uint8":
    case "bool":
      return zeroed(Uint8Array, size);
  }
}

export function dtypeOfTypedArray(a: ArrayLike<number>): DType | undefined {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint8Array) return "uint8";
  return undefined;
}

/**
 * Promotion of two array dtypes: bool < uint8 < int32 < float32 < float64, the wider wins.
 * (int32 with float32 gives float32, as in JAX and TF, not float64 as in NumPy.)
 */
export function promote(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The dtype a JS number takes when combined with an array of dtype `d`.
 * Numbers are "weak" (as Python scalars in JAX/NumPy 2): they adopt the array's dtype,
 * except that an integer meeting a bool array gives int32, and a non-integer number meeting an
 * integer or bool array gives float32.
 */
export function weakScalarDType(value: number, d: DType): DType {
  if (isFloat(d)) return d;
  if (!Number.isInteger(value)) return "float32";
  return d === "bool" ? "int32" : d;
}

export function isIntegral(d: DType): boolean {
  return d === "int32" || d === "uint8";
}

/** Whether the JS number `v` is stored exactly by dtype `d` (floats: always; NaN and ±inf included). */
export function fitsDType(v: number, d: DType): boolean {
  switch (d) {
    case "float32":
    case "float64":
      return true;
    case "int32":
      return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
    case "uint8":
      return Number.isInteger(v) && v >= 0 && v <= 255;
    case "bool":
      return v === 0 || v === 1;
  }
}

/** dtype for functions that only make sense on floats (exp, log, div, mean…): ints become float32. */
export function floatOf(d: DType): DType {
  return isFloat(d) ? d : "float32";
}

export function assertDType(d: string, op: string): asserts d is DType {
  if (!(DTYPES as readonly string[]).includes(d)) {
    throw new TypeError(`${op}: unknown dtype '${d}' (expected one of ${DTYPES.join(", ")})`);
  }
}
