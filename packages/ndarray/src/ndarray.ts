import { allocate, type DType, type TypedArray } from "./dtype";
import { ShapeError, fmtShape } from "./errors";
import { contiguousStrides, sizeOf, type Shape } from "./shape";
import { formatArray } from "./format";

const ITEM_BYTES: Record<DType, number> = { float64: 8, float32: 4, int32: 4, uint8: 1, bool: 1 };
import type { NDArrayMethods } from "./ndarray-methods";

/** A nested JS array of numbers or booleans, as `toArray()` returns and `array()` accepts. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * An n-dimensional array: a typed-array buffer seen through shape, strides and offset.
 * Views (reshape, transpose, slicing, broadcasting) share the buffer; nothing needs disposing.
 * Op methods (`a.add(b)`, `a.sum()`…) are attached in methods.ts.
 */
// Declaration merging gives the class its op methods' types; methods.ts provides their bodies.
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface NDArray extends NDArrayMethods {}

export class NDArray {
  readonly buffer: TypedArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  readonly size: number;

  constructor(buffer: TypedArray, shape: Shape, dtype: DType, strides?: readonly number[], offset = 0) {
    this.buffer = buffer;
    this.shape = shape;
    this.dtype = dtype;
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
    this.size = sizeOf(shape);
  }

  /** A new contiguous array of zeros (the kernel output allocator). */
  /** A new zero-filled array; `op` names the caller in the error when the buffer cannot be allocated. */
  static empty(shape: Shape, dtype: DType, op = "allocate"): NDArray {
    const size = sizeOf(shape);
    let buf: TypedArray;
    try {
      buf = allocate(dtype, size);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      const bytes = size * ITEM_BYTES[dtype];
      throw new RangeError(
        `${op}: cannot allocate an array of shape ${fmtShape(shape)} and dtype ${dtype}: ${size} elements, ${bytes} bytes (${(e as Error).message})`,
      );
    }
    return new NDArray(buf, shape, dtype);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** True when elements are laid out in row-major order with no gaps (the offset may be non-zero). */
  get isContiguous(): boolean {
    const { shape, strides } = this;
    let expected = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      const d = shape[i]!;
      if (d !== 1 && strides[i] !== expected) return false;
      expected *= d;
    }
    return true;
  }

  /**
   * The elements as a flat row-major typed array. Shares memory with the array when it is
   * contiguous and spans its whole buffer; otherwise a copy. Treat it as read-only.
   */
  get data(): TypedArray {
    if (this.isContiguous) {
      if (this.offset === 0 && this.buffer.length === this.size) return this.buffer;
      return this.buffer.subarray(this.offset, this.offset + this.size);
    }
    const out = allocate(this.dtype, this.size);
    let i = 0;
    this.forEachOffset((o) => (out[i++] = this.buffer[o]!));
    return out;
  }

  /** A copy of the elements as a flat row-major typed array that the caller owns. */
  toTypedArray(): TypedArray {
    const d = this.data;
    return d === this.buffer || d.buffer === this.buffer.buffer ? d.slice() : d;
  }

  /** Visits every element's buffer offset in row-major order. */
  forEachOffset(fn: (offset: number) => void): void {
    const { shape, strides } = this;
    const rank = shape.length;
    if (this.size === 0) return;
    if (rank === 0) return fn(this.offset);
    const idx = new Array<number>(rank).fill(0);
    let o = this.offset;
    const last = rank - 1;
    const n = shape[last]!;
    const s = strides[last]!;
    for (;;) {
      for (let j = 0, p = o; j < n; j++, p += s) fn(p);
      let ax = last - 1;
      for (; ax >= 0; ax--) {
        o += strides[ax]!;
        if (++idx[ax]! < shape[ax]!) break;
        o -= strides[ax]! * shape[ax]!;
        idx[ax] = 0;
      }
      if (ax < 0) return;
    }
  }

  /** The value of a one-element array as a JS number (booleans give 0/1). */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError(
        `item: only one-element arrays convert to a number, got shape ${fmtShape(this.shape)}`,
      );
    }
    return this.buffer[this.offset]!;
  }

  /** The elements as nested JS arrays (booleans for bool arrays). */
  toArray(): NestedArray {
    const data = Array.from(this.data);
    const flat: (number | boolean)[] = this.dtype === "bool" ? data.map((v) => v !== 0) : data;
    const build = (dim: number, start: number): NestedArray => {
      if (dim === this.shape.length) return flat[start]!;
      const n = this.shape[dim]!;
      const step = this.size === 0 ? 0 : sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(dim + 1, start + i * step));
      return out;
    };
    return build(0, 0);
  }

  toString(): string {
    return formatArray(this);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
