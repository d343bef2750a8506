import { allocate, type DType, type TypedArray } from "./dtype";
import { BackendError, ShapeError, fmtShape } from "./errors";
import { contiguousStrides, sizeOf, type Shape } from "./shape";
import { formatArray } from "./format";

const ITEM_BYTES: Record<DType, number> = { float64: 8, float32: 4, int32: 4, uint8: 1, bool: 1 };
import type { NDArrayMethods } from "./ndarray-methods";
import type { DeviceMemory, DeviceStorage } from "./primitive";
import { getBackend, runDeferredChecks } from "./engine";
import { assertLive, isDisposed, reuse } from "./pool";

/** The device memory that owns `storage`: the current backend's, when it is that backend's. */
function deviceOf(storage: DeviceStorage): DeviceMemory | undefined {
  const b = getBackend();
  return b.device && b.name === storage.backend ? b.device : undefined;
}

/** Row-major elements of `x` out of `raw`, a copy of its storage from element `start`. */
function gatherView(x: NDArray, raw: TypedArray, start: number): TypedArray {
  const view = new NDArray(raw, x.shape, x.dtype, x.strides, x.offset - start);
  return view.dataSync();
}

function nest(shape: readonly number[], dtype: DType, data: TypedArray): NestedArray {
  const flat: (number | boolean)[] = dtype === "bool" ? Array.from(data, (v) => v !== 0) : Array.from(data);
  const size = flat.length;
  const build = (dim: number, start: number): NestedArray => {
    if (dim === shape.length) return flat[start]!;
    const n = shape[dim]!;
    const step = size === 0 ? 0 : sizeOf(shape.slice(dim + 1));
    const out: NestedArray[] = [];
    for (let i = 0; i < n; i++) out.push(build(dim + 1, start + i * step));
    return out;
  };
  return build(0, 0);
}

/** A nested JS array of numbers or booleans, as `toArray()` returns and `array()` accepts. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * An n-dimensional array: a typed-array buffer seen through shape, strides and offset.
 * Views (reshape, transpose, slicing, broadcasting) share the buffer. Memory is garbage-collected;
 * `tidy(fn)` and `dispose(x)` (pool.ts) hand buffers back for reuse sooner.
 * Op methods (`a.add(b)`, `a.sum()`…) are attached in methods.ts.
 */
// Declaration merging gives the class its op methods' types; methods.ts provides their bodies.
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface NDArray extends NDArrayMethods {}

function isTypedArray(x: TypedArray | DeviceStorage): x is TypedArray {
  return ArrayBuffer.isView(x);
}

function deviceError(x: NDArray, what: string): never {
  const where = (x.storage as DeviceStorage).backend;
  throw new BackendError(
    `${what}: this ${fmtShape(x.shape)} ${x.dtype} array lives on the '${where}' backend, whose memory ` +
      `JS cannot read synchronously; use 'await x.data()' (or 'await x.array()')`,
  );
}

export class NDArray {
  // The bundler names a class that refers to itself `_NDArray`; keep the public name (logs, inspect).
  static {
    Object.defineProperty(this, "name", { value: "NDArray" });
  }

  /** The elements in JS memory (CPU backends). Device arrays have none: reading it throws, naming `data()`. */
  readonly buffer: TypedArray;
  /** Where the elements live: the typed array itself, or a device backend's storage handle. */
  readonly storage: TypedArray | DeviceStorage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  readonly size: number;

  constructor(
    storage: TypedArray | DeviceStorage,
    shape: Shape,
    dtype: DType,
    strides?: readonly number[],
    offset = 0,
  ) {
    this.storage = storage;
    if (isTypedArray(storage)) this.buffer = storage;
    else {
      this.buffer = undefined as never;
      Object.defineProperty(this, "buffer", { get: () => deviceError(this, "buffer") });
    }
    this.shape = shape;
    this.dtype = dtype;
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
    this.size = sizeOf(shape);
  }

  /**
   * A new zero-filled array (a released buffer of the same length when the pool has one, see `tidy`);
   * `op` names the caller in the error when the buffer cannot be allocated.
   */
  static empty(shape: Shape, dtype: DType, op = "allocate"): NDArray {
    const size = sizeOf(shape);
    let buf: TypedArray;
    try {
      buf = reuse(dtype, size) ?? allocate(dtype, size);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      const bytes = size * ITEM_BYTES[dtype];
      throw new RangeError(
        `${op}: cannot allocate an array of shape ${fmtShape(shape)} and dtype ${dtype}: ${size} elements, ${bytes} bytes (${(e as Error).message})`,
      );
    }
    return new NDArray(buf, shape, dtype);
  }

  /** Whether the elements live on a device backend (read them with `await x.data()`). */
  get onDevice(): boolean {
    return !isTypedArray(this.storage);
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
   * The elements as a flat row-major typed array, synchronously (CPU backends; TF.js's `dataSync`).
   * Shares memory with the array when it is contiguous and spans its whole buffer; otherwise a copy.
   * Treat it as read-only. On a device backend this throws: use `await x.data()`.
   */
  dataSync(): TypedArray {
    assertLive(this, "dataSync");
    if (this.onDevice) deviceError(this, "dataSync");
    if (this.isContiguous) {
      if (this.offset === 0 && this.buffer.length === this.size) return this.buffer;
      return this.buffer.subarray(this.offset, this.offset + this.size);
    }
    const out = allocate(this.dtype, this.size);
    let i = 0;
    this.forEachOffset((o) => (out[i++] = this.buffer[o]!));
    return out;
  }

  /**
   * The elements as a flat row-major typed array, on every backend: device arrays are read back
   * (asynchronously, as TF.js's `data()`). A CPU array's result is `dataSync()`'s.
   */
  async data(): Promise<TypedArray> {
    await runDeferredChecks(); // ops' checks of device values report here (gather's index bounds, …)
    assertLive(this, "data");
    if (!this.onDevice) return this.dataSync();
    const device = getBackend().device;
    const storage = this.storage as DeviceStorage;
    if (!device || device !== deviceOf(storage)) {
      throw new BackendError(
        `data: this array lives on the '${storage.backend}' backend, which is not the current backend`,
      );
    }
    const span = this.spanOf();
    const raw = await device.read(storage, this.dtype, span.start, span.length);
    return gatherView(this, raw, span.start);
  }

  /** The elements as nested JS arrays, on every backend (`toArray()` is the synchronous form). */
  async array(): Promise<NestedArray> {
    return nest(this.shape, this.dtype, await this.data());
  }

  /** A copy of the elements as a flat row-major typed array that the caller owns. */
  toTypedArray(): TypedArray {
    const d = this.dataSync();
    return d === this.buffer || d.buffer === this.buffer.buffer ? d.slice() : d;
  }

  /** The smallest range of storage elements the view reads. */
  private spanOf(): { start: number; length: number } {
    if (this.size === 0) return { start: this.offset, length: 0 };
    let lo = this.offset;
    let hi = this.offset;
    this.shape.forEach((d, i) => {
      const s = this.strides[i]! * (d - 1);
      if (s < 0) lo += s;
      else hi += s;
    });
    return { start: lo, length: hi - lo + 1 };
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
    assertLive(this, "item");
    if (this.onDevice) deviceError(this, "item");
    return this.buffer[this.offset]!;
  }

  /** The elements as nested JS arrays (booleans for bool arrays); `await x.array()` on device backends. */
  toArray(): NestedArray {
    return nest(this.shape, this.dtype, this.dataSync());
  }

  toString(): string {
    if (isDisposed(this)) return `array(<disposed>, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
    if (this.onDevice) {
      const where = (this.storage as DeviceStorage).backend;
      return `array(<on ${where}: await x.data() to read>, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
    }
    return formatArray(this);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
