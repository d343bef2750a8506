// Buffer reuse for eager code, with TF.js's semantics: `tidy(fn)` releases the arrays that ops made inside
// `fn` and that `fn` does not return, `keep(x)` exempts one, `dispose(x)` releases one now. A released
// buffer goes to a pool keyed by its byte length, and the next op result of that length gets a view of it
// (zero-filled) instead of a new ArrayBuffer: a backing store costs ~9 µs in Chromium, a view under 1 µs.
// Use of a released array throws, naming the op. The state is this module's (one per copy of the package).
import { isRecording } from "./engine";
import type { DType, TypedArray } from "./dtype";
import { BackendError, fmtShape } from "./errors";
import { NDArray } from "./ndarray";

/** Arrays up to this size live on V8's heap and cost ~0.1 µs: recycling them would cost more. */
const POOL_MIN_BYTES = 64;
/** Larger arrays have an ArrayBuffer of their own (slab.ts): `dispose` recycles those it knows are ours. */
const OWN_BUFFER_MIN_BYTES = 1025;
const DEFAULT_LIMIT_BYTES = 256 * 1024 * 1024;

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;
const CTORS: Record<DType, Ctor> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};
/**
 * Set on a released storage (a typed array or a device handle). A property, not a WeakMap entry: a fresh
 * WeakMap key costs ~0.85 µs in Node 20, a property ~0.05 µs, and released storages never reach a kernel
 * again (the pool hands out new views), so the changed hidden class costs the kernels nothing.
 */
const RELEASED = Symbol("chainrule.released");
type Marked = { [RELEASED]?: true };

const state = {
  /** Open tidy scopes, innermost last: the arrays ops made in each. */
  scopes: [] as NDArray[][],
  /** Active recorders that keep what they record (a graph tracer's constants): nothing is tracked then. */
  holders: 0,
  /** Storages with a buffer of their own that an op or a creation function made: `dispose` may recycle them. */
  owned: new WeakSet<object>(),
  anyReleased: false,
  kept: new WeakSet<object>(),
  anyKept: false,
  /** Released host buffers by byte length, ready for reuse. */
  free: new Map<number, TypedArray[]>(),
  freeBytes: 0,
  limitBytes: DEFAULT_LIMIT_BYTES,
  stats: { reused: 0, released: 0 },
};

/** Counts recorders that keep arrays (called by the engine as recorders start and stop). */
export function holdTracking(delta: 1 | -1): void {
  state.holders += delta;
}

/** Registers an array an op or a creation function just made (its buffer is chainrule's). */
export function track(x: NDArray): NDArray {
  const s = x.storage as TypedArray;
  if (!(s.byteLength < OWN_BUFFER_MIN_BYTES)) state.owned.add(s); // device handles have no byteLength
  if (state.scopes.length > 0 && state.holders === 0) state.scopes[state.scopes.length - 1]!.push(x);
  return x;
}

/** A zero-filled released buffer for `size` elements of `dtype`, when the pool has one of that length. */
export function reuse(dtype: DType, size: number): TypedArray | undefined {
  if (state.freeBytes === 0) return undefined;
  const ctor = CTORS[dtype];
  const bytes = size * ctor.BYTES_PER_ELEMENT;
  const old = state.free.get(bytes)?.pop();
  if (old === undefined) return undefined;
  state.freeBytes -= bytes;
  state.stats.reused++;
  // A new view: the released array keeps its own (marked) typed array, so its use still throws.
  const view = new ctor(old.buffer as ArrayBuffer, old.byteOffset, size);
  view.fill(0);
  return view;
}

function disposedError(x: NDArray, op: string): BackendError {
  return new BackendError(
    `${op}: this ${fmtShape(x.shape)} ${x.dtype} array was disposed (by tidy() or dispose()), and its ` +
      `buffer may hold another array now; return it from the tidy function or keep() it to use it later`,
  );
}

/** Throws if `x` (or the array it views) was released. */
export function assertLive(x: NDArray, op: string): void {
  if (state.anyReleased && (x.storage as Marked)[RELEASED] === true) throw disposedError(x, op);
}

/** Throws if any input was released: ops call it before running a kernel. */
export function assertInputsLive(inputs: readonly NDArray[], op: string): void {
  if (!state.anyReleased) return;
  for (let i = 0; i < inputs.length; i++) {
    if ((inputs[i]!.storage as Marked)[RELEASED] === true) throw disposedError(inputs[i]!, op);
  }
}

/** Whether `x`'s buffer was released by `tidy` or `dispose` (TF.js's `isDisposed`). */
export function isDisposed(x: NDArray): boolean {
  return (x.storage as Marked)[RELEASED] === true;
}

/** Marks `x`'s storage released (its use throws from now on); returns false if it already was. */
function mark(x: NDArray): boolean {
  const s = x.storage as Marked;
  if (s[RELEASED] === true) return false;
  s[RELEASED] = true;
  state.anyReleased = true;
  return true;
}

/** Marks `x` released and pools its buffer: only for buffers chainrule allocated. */
function release(x: NDArray): void {
  if (!mark(x)) return;
  const s = x.storage;
  state.stats.released++;
  // Device memory is the backend's: its use now throws, and the backend frees it as before.
  if (!ArrayBuffer.isView(s)) return;
  const bytes = s.byteLength;
  if (bytes <= POOL_MIN_BYTES || state.freeBytes + bytes > state.limitBytes) return;
  let list = state.free.get(bytes);
  if (!list) state.free.set(bytes, (list = []));
  list.push(s);
  state.freeBytes += bytes;
}

/** The storages (and bare typed arrays) in a value returned from a tidy function. */
function collect(v: unknown, storages: object[], views: TypedArray[], seen: Set<object>): void {
  if (v === null || typeof v !== "object") return;
  if (v instanceof NDArray) return void storages.push(v.storage);
  if (ArrayBuffer.isView(v)) return void views.push(v as TypedArray);
  if (seen.has(v)) return; // containers only: hashing every array would cost more than the walk
  seen.add(v);
  if (Array.isArray(v)) for (const e of v) collect(e, storages, views, seen);
  else if (v instanceof Map) for (const e of v.values()) collect(e, storages, views, seen);
  else for (const e of Object.values(v)) collect(e, storages, views, seen);
}

/** Whether a returned typed array (say `x.dataSync()`) reads `s`'s memory. */
function sharedWith(s: TypedArray, views: readonly TypedArray[]): boolean {
  const lo = s.byteOffset;
  const hi = lo + s.byteLength;
  return views.some((v) => v.buffer === s.buffer && v.byteOffset < hi && v.byteOffset + v.byteLength > lo);
}

function endScope(arrays: NDArray[], result: unknown): void {
  const parent = state.scopes[state.scopes.length - 1];
  // A tape still recording may need any of them for its backward pass: the enclosing scope decides.
  if (isRecording()) {
    if (parent) for (const x of arrays) parent.push(x);
    return;
  }
  const storages: object[] = [];
  const views: TypedArray[] = [];
  if (result !== null && typeof result === "object") collect(result, storages, views, new Set());
  // A handful of results in the usual case: a scan beats hashing each storage.
  const returned = storages.length > 16 ? new Set(storages) : undefined;
  for (const x of arrays) {
    const s = x.storage;
    if (state.anyKept && state.kept.has(s)) continue;
    const kept = returned ? returned.has(s) : storages.indexOf(s) >= 0;
    if (kept || (views.length > 0 && ArrayBuffer.isView(s) && sharedWith(s, views))) parent?.push(x);
    else release(x);
  }
}

/**
 * Runs `fn` and releases every array that ops made while it ran, except what it returns (arrays, or
 * arrays inside arrays, Maps and plain objects; a returned view keeps the array it views) and what
 * `keep()` exempted; the survivors belong to the enclosing tidy, if any. Released buffers are reused by
 * later ops, so a training step in a `tidy` allocates (almost) no new memory. `fn` must be synchronous.
 * While a GradientTape records around the scope nothing is released (its backward pass may need it).
 */
export function tidy<T>(fn: () => T): T {
  const arrays: NDArray[] = [];
  state.scopes.push(arrays);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    state.scopes.pop();
    endScope(arrays, undefined);
    throw e;
  }
  state.scopes.pop();
  if (result instanceof Promise) {
    endScope(arrays, undefined);
    throw new TypeError("tidy: the function returned a Promise; tidy only works with synchronous code");
  }
  endScope(arrays, result);
  return result;
}

/** Exempts `x` from every tidy scope: it lives until `dispose(x)` (or until nothing refers to it). */
export function keep<T extends NDArray>(x: T): T {
  state.kept.add(x.storage);
  state.anyKept = true;
  return x;
}

/**
 * Releases the arrays in `value` (an array, or arrays nested in arrays and objects) now: their buffers go
 * back to the pool and any later use throws. Only buffers chainrule allocated are recycled (op results with
 * a buffer of their own, over 1 KiB); disposing a Variable, a traced plan's output, a small array or an array
 * over your own typed array only marks it released (the GC frees it).
 * Views share their array's buffer: disposing one releases the array it views.
 */
export function dispose(value: unknown): void {
  const storages = new Set<object>();
  const arrays: NDArray[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown) => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (v instanceof NDArray) {
      if (!storages.has(v.storage)) arrays.push(v);
      storages.add(v.storage);
    } else if (Array.isArray(v)) for (const e of v) walk(e);
    else if (!ArrayBuffer.isView(v)) for (const e of Object.values(v)) walk(e);
  };
  walk(value);
  for (const x of arrays) {
    if (state.owned.has(x.storage)) release(x);
    else mark(x);
  }
}

/** What the pool holds and has done, for tests and tuning. */
export function poolStats(): { reused: number; released: number; freeBytes: number; limitBytes: number } {
  return { ...state.stats, freeBytes: state.freeBytes, limitBytes: state.limitBytes };
}

/** Caps the bytes the pool keeps (default 256 MiB); `0` turns reuse off and empties the pool. */
export function setPoolLimit(bytes: number): void {
  if (!(Number.isFinite(bytes) && bytes >= 0))
    throw new RangeError(`setPoolLimit: bytes must be a finite number >= 0, got ${bytes}`);
  state.limitBytes = bytes;
  if (bytes === 0) {
    state.free.clear();
    state.freeBytes = 0;
  }
}
