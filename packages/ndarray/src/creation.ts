import { allocate, assertDType, type DType, dtypeOfTypedArray, fitsDType, type TypedArray } from "./dtype";
import { ShapeError, fmtShape } from "./errors";
import { NDArray, type NestedArray } from "./ndarray";
import { track } from "./pool";
import { assertShape, sizeOf } from "./shape";

export interface ArrayOptions {
  dtype?: DType;
  shape?: readonly number[];
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedArray;
  }
  return shape;
}

function flattenChecked(
  data: NestedArray,
  shape: readonly number[],
  out: number[],
  depth: number,
  path: string,
) {
  if (depth === shape.length) {
    if (Array.isArray(data))
      throw new ShapeError(`array: ragged nested sequence at ${path}: expected a number, got a list`);
    if (typeof data === "boolean") out.push(+data);
    else if (typeof data === "number") out.push(data);
    else throw new TypeError(`array: element at ${path} is ${typeof data}, expected a number or boolean`);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new ShapeError(
      `array: ragged nested sequence at ${path}: expected a list of length ${shape[depth]}, got ${Array.isArray(data) ? `length ${data.length}` : "a number"}`,
    );
  }
  for (let i = 0; i < data.length; i++) flattenChecked(data[i]!, shape, out, depth + 1, `${path}[${i}]`);
}

function firstLeaf(data: NestedArray): unknown {
  let cur: unknown = data;
  while (Array.isArray(cur)) cur = cur[0];
  return cur;
}

/**
 * Creates an array from nested JS arrays, a number, or a typed array (copied).
 * Numbers default to float32 (as in TF.js and PyTorch's default float), booleans to bool, and
 * typed arrays keep their type (Uint8Array is uint8).
 */
export function array(
  data: NestedArray | TypedArray | readonly number[],
  options: ArrayOptions = {},
): NDArray {
  if (options.dtype !== undefined) assertDType(options.dtype, "array");
  const td = ArrayBuffer.isView(data) ? dtypeOfTypedArray(data as TypedArray) : undefined;
  if (ArrayBuffer.isView(data)) {
    if (td === undefined)
      throw new TypeError(
        "array: unsupported typed array (use Float32Array, Float64Array, Int32Array or Uint8Array)",
      );
    const dtype = options.dtype ?? td;
    const shape = options.shape ?? [(data as TypedArray).length];
    assertShape(shape, "array");
    if (sizeOf(shape) !== (data as TypedArray).length) {
      throw new ShapeError(
        `array: ${(data as TypedArray).length} elements do not fill shape ${fmtShape(shape)}`,
      );
    }
    if (dtype !== td) assertFits("array", data as TypedArray, dtype);
    const buf = allocate(dtype, (data as TypedArray).length);
    if (dtype === "bool") fillBool(buf, data as TypedArray);
    else buf.set(data as TypedArray);
    return track(new NDArray(buf, [...shape], dtype));
  }
  const nested = data as NestedArray;
  const shape = inferShape(nested);
  const flat: number[] = [];
  flattenChecked(nested, shape, flat, 0, "root");
  const dtype = options.dtype ?? (typeof firstLeaf(nested) === "boolean" ? "bool" : "float32");
  assertFits("array", flat, dtype);
  const buf = allocate(dtype, flat.length);
  if (dtype === "bool") fillBool(buf, flat);
  else for (let i = 0; i < flat.length; i++) buf[i] = flat[i]!;
  const out = new NDArray(buf, shape, dtype);
  if (options.shape) {
    assertShape(options.shape, "array");
    if (sizeOf(options.shape) !== out.size) {
      throw new ShapeError(`array: ${out.size} elements do not fill shape ${fmtShape(options.shape)}`);
    }
    return track(new NDArray(buf, [...options.shape], dtype));
  }
  return track(out);
}

/** Stores values as booleans: any non-zero (and NaN) is true, as in NumPy's `astype(bool)`. */
function fillBool(buf: TypedArray, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) buf[i] = values[i] !== 0 ? 1 : 0;
}

/**
 * Wraps a typed array without copying (the array sees later writes to `data`). `dtype` may only
 * re-label a Uint8Array as "bool" (whose bytes must then be 0 or 1).
 */
export function fromTypedArray(data: TypedArray, shape: readonly number[], dtype?: DType): NDArray {
  const own = dtypeOfTypedArray(data);
  if (own === undefined) throw new TypeError("fromTypedArray: unsupported typed array");
  if (dtype !== undefined) assertDType(dtype, "fromTypedArray");
  const d = dtype ?? own;
  if (d !== own && !(d === "bool" && own === "uint8")) {
    throw new TypeError(
      `fromTypedArray: a ${data.constructor.name} cannot hold dtype ${d} without copying; use array(data, { dtype: "${d}" })`,
    );
  }
  assertShape(shape, "fromTypedArray");
  if (sizeOf(shape) !== data.length) {
    throw new ShapeError(`fromTypedArray: ${data.length} elements do not fill shape ${fmtShape(shape)}`);
  }
  return new NDArray(data, [...shape], d);
}

/**
 * Integer dtypes store a number truncated toward zero (as `cast` does) only if the result fits, the rule
 * arithmetic applies to a scalar operand (`add(uint8Array, 300)` throws): 300 or −1 in uint8, NaN, ±Infinity
 * or 3e9 in int32 are a RangeError, never a wrap or a 0.
 */
function assertFits(op: string, values: ArrayLike<number>, dtype: DType): void {
  if (dtype !== "int32" && dtype !== "uint8") return;
  for (let i = 0; i < values.length; i++) {
    if (!fitsDType(Math.trunc(values[i]!), dtype)) {
      const at = values.length > 1 ? ` (flat index ${i})` : "";
      throw new RangeError(
        `${op}: the number ${values[i]}${at} does not fit dtype ${dtype}; use a wider dtype or convert it first`,
      );
    }
  }
}

export function full(shape: readonly number[], value: number | boolean, dtype: DType = "float32"): NDArray {
  return filled("full", shape, value, dtype);
}

/** `full` under the name of the function the user called, so its errors name that function. */
function filled(op: string, shape: readonly number[], value: number | boolean, dtype: DType): NDArray {
  assertShape(shape, op);
  assertDType(dtype, op);
  const v = dtype === "bool" ? (value ? 1 : 0) : +value;
  assertFits(op, [v], dtype);
  const out = track(NDArray.empty([...shape], dtype, op));
  if (v !== 0) out.buffer.fill(v);
  return out;
}

export const zeros = (shape: readonly number[], dtype: DType = "float32") => filled("zeros", shape, 0, dtype);
export const ones = (shape: readonly number[], dtype: DType = "float32") => filled("ones", shape, 1, dtype);
export const zerosLike = (x: NDArray, dtype: DType = x.dtype) => filled("zerosLike", x.shape, 0, dtype);
export const onesLike = (x: NDArray, dtype: DType = x.dtype) => filled("onesLike", x.shape, 1, dtype);
export const fullLike = (x: NDArray, value: number | boolean, dtype: DType = x.dtype) =>
  filled("fullLike", x.shape, value, dtype);

/** Evenly spaced values in [start, stop) — `arange(n)` counts 0..n-1. */
export function arange(start: number, stop?: number, step = 1, dtype?: DType): NDArray {
  if (stop === undefined) [start, stop] = [0, start];
  if (!Number.isFinite(start) || !Number.isFinite(stop))
    throw new RangeError(`arange: start and stop must be finite numbers, got ${start} and ${stop}`);
  if (step === 0 || !Number.isFinite(step))
    throw new RangeError(`arange: step must be a non-zero finite number, got ${step}`);
  if (dtype !== undefined) assertDType(dtype, "arange");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const ints = Number.isInteger(start) && Number.isInteger(stop) && Number.isInteger(step);
  const d = dtype ?? (ints ? "int32" : "float32");
  const out = track(NDArray.empty([n], d, "arange"));
  for (let i = 0; i < n; i++) out.buffer[i] = start + i * step;
  return out;
}

/** `num` evenly spaced values from start to stop inclusive. */
export function linspace(start: number, stop: number, num = 50, dtype: DType = "float32"): NDArray {
  if (!Number.isInteger(num) || num < 0)
    throw new RangeError(`linspace: num must be a non-negative integer, got ${num}`);
  assertDType(dtype, "linspace");
  const out = track(NDArray.empty([num], dtype, "linspace"));
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) out.buffer[i] = start + i * step;
  if (num > 1) out.buffer[num - 1] = stop;
  return out;
}

/** Identity-like matrix with ones on diagonal `k`. */
export function eye(n: number, m = n, k = 0, dtype: DType = "float32"): NDArray {
  assertShape([n, m], "eye");
  if (!Number.isInteger(k)) throw new RangeError(`eye: diagonal offset k must be an integer, got ${k}`);
  assertDType(dtype, "eye");
  const out = track(NDArray.empty([n, m], dtype, "eye"));
  for (let i = 0; i < n; i++) if (i + k >= 0 && i + k < m) out.buffer[i * m + i + k] = 1;
  return out;
}
