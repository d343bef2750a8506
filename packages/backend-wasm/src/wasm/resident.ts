// Typed arrays that live in wasm memory (heap blocks) and the kernels' operand placement: a resident
// operand is passed as its address, any other one is copied into the call's arena (and an output back out).
//
// Only shared memories hand out resident arrays: growing a shared memory keeps every earlier view valid
// (each grow gives `memory.buffer` a new, longer SharedArrayBuffer over the same bytes), while growing a
// private memory detaches them. So residency is known by the buffer object: the heap records each
// SharedArrayBuffer it handed views of.
import type { DType, ResidentMemory, TypedArray } from "@chainrule/ndarray";
import type { Heap } from "./heap";
import { runtime, type Arena, type Runtime } from "./runtime";
import { paddedBytes } from "./typed";

const handedOut = new WeakMap<Heap, WeakSet<ArrayBufferLike>>();

const CTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
} as const;

/** Bytes the kernels copied between JS arrays and wasm memory, since the module was loaded. */
export const copied = { bytesIn: 0, bytesOut: 0 };

/** A snapshot of `copied` (benchmarks and tests compare two). */
export function copyStats(): { bytesIn: number; bytesOut: number } {
  return { ...copied };
}

/** Frees a resident block once the object that owns it (a plan) has been collected. */
const finalizer = new FinalizationRegistry<{ heap: Heap; ptr: number }>(({ heap, ptr }) => heap.release(ptr));

/** A zeroed array of `size` elements in a heap block of `rt`'s shared memory, freed when `owner` is garbage. */
export function residentArray(rt: Runtime, dtype: DType, size: number, owner: object): TypedArray {
  if (!rt.shared) throw new Error("@chainrule/backend-wasm: resident arrays need a shared wasm memory");
  const Ctor = CTORS[dtype];
  const bytes = size * Ctor.BYTES_PER_ELEMENT;
  const ptr = rt.heap.alloc(bytes);
  const buffer = rt.memory.buffer;
  let seen = handedOut.get(rt.heap);
  if (!seen) handedOut.set(rt.heap, (seen = new WeakSet()));
  seen.add(buffer);
  finalizer.register(owner, { heap: rt.heap, ptr });
  const a = new Ctor(buffer, ptr, size);
  a.fill(0); // a reused block, or arena scratch the heap has grown over
  return a;
}

/**
 * The backend's `residentMemory`, or undefined on a private memory (its views would detach on growth).
 * It allocates in the runtime current at each call, so it follows `disposeBackend()`.
 */
export function residentMemory(): ResidentMemory | undefined {
  if (!runtime().shared) return undefined;
  return { allocate: (dtype, size, owner) => residentArray(runtime(), dtype, size, owner) };
}

/** The address of elements [offset, offset + length) of `a` when they lie in a heap block of `rt`, else -1. */
export function residentPtr(rt: Runtime, a: TypedArray, offset: number, length: number): number {
  if (!handedOut.get(rt.heap)?.has(a.buffer)) return -1;
  const ptr = a.byteOffset + offset * a.BYTES_PER_ELEMENT;
  return rt.heap.spans(ptr, length * a.BYTES_PER_ELEMENT) ? ptr : -1;
}

/** Where a kernel reads `length` elements of `a` from `offset`: in place, or a fresh copy in the arena. */
export function placeInput(arena: Arena, a: TypedArray, offset = 0, length = a.length - offset): number {
  const at = residentPtr(arena.rt, a, offset, length);
  if (at >= 0) return at;
  const ptr = arena.alloc(paddedBytes(a, length));
  copyIn(arena.rt, ptr, a, offset, length);
  return ptr;
}

/** Copies elements [offset, offset + length) of `src` to byte `ptr` of wasm memory (same element type). */
export function copyIn(rt: Runtime, ptr: number, src: TypedArray, offset: number, length: number): void {
  const Ctor = src.constructor as new (b: ArrayBufferLike, o: number, n: number) => TypedArray;
  new Ctor(rt.memory.buffer, ptr, length).set(src.subarray(offset, offset + length));
  copied.bytesIn += length * src.BYTES_PER_ELEMENT;
}

/** A kernel's output: written in place when resident, or in the arena and copied back by `finish`. */
export interface Target {
  readonly ptr: number;
  finish(): void;
}

export interface Range {
  readonly ptr: number;
  readonly bytes: number;
}

export interface TargetOptions {
  /** Ranges the kernel reads: an output overlapping one of them goes through the arena. */
  reads?: readonly Range[];
  /** Copy the old values in first (an output the kernel also reads, e.g. Adam's state). */
  load?: boolean;
}

export const overlaps = (a: Range, b: Range) => a.ptr < b.ptr + b.bytes && b.ptr < a.ptr + a.bytes;

/** Where a kernel writes `length` elements of `a` from `offset`. */
export function placeOutput(
  arena: Arena,
  a: TypedArray,
  offset = 0,
  length = a.length - offset,
  o: TargetOptions = {},
): Target {
  const { rt } = arena;
  const at = residentPtr(rt, a, offset, length);
  // Kernels store exactly the elements they compute (none past the last), so only aliasing matters.
  if (at >= 0 && !o.reads?.some((r) => overlaps(r, range(a, at, length)))) {
    return { ptr: at, finish: () => undefined };
  }
  const ptr = arena.alloc(paddedBytes(a, length));
  if (o.load) copyIn(rt, ptr, a, offset, length);
  return { ptr, finish: () => copyOut(rt, ptr, a, offset, length) };
}

/** Copies `length` elements at byte `ptr` of wasm memory into `dst` from `offset`. */
export function copyOut(rt: Runtime, ptr: number, dst: TypedArray, offset: number, length: number): void {
  const Ctor = dst.constructor as new (b: ArrayBufferLike, o: number, n: number) => TypedArray;
  dst.set(new Ctor(rt.memory.buffer, ptr, length), offset);
  copied.bytesOut += length * dst.BYTES_PER_ELEMENT;
}

/** The byte range of elements [offset, offset + length) of `a` placed at `ptr`. */
export const range = (a: TypedArray, ptr: number, length: number): Range => ({
  ptr,
  bytes: length * a.BYTES_PER_ELEMENT,
});
