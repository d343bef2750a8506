// Small arrays as views into shared slabs. Each `new Float32Array(n)` gets its own ArrayBuffer, and a backing
// store costs ~9 µs in Chromium (2–3 µs in Node) against well under 1 µs for a view of an existing buffer;
// an eager op allocates one array per result, so a per-sample training step spent most of its time here in a
// page (apps/playground README). Slabs are bump-allocated, so every array starts zeroed, as a fresh ArrayBuffer
// does (a view released by tidy is reused through pool.ts, zero-filled), and a slab is garbage-collected once
// no view of it is left.

/** V8 keeps typed arrays up to this size on its own heap, which is cheaper than any view. */
const ON_HEAP_MAX_BYTES = 64;
/** Larger arrays get their own buffer: the allocation is small next to the work on them. */
const SLAB_MAX_BYTES = 1024;
/** One live small array keeps at most this much memory alive. */
const SLAB_BYTES = 16384;
const ALIGN = 16;

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;

let slab = new ArrayBuffer(0);
let used = 0;

/** A zeroed array of `size` elements: a slab view when it is small, else a typed array of its own. */
export function zeroed<C extends Ctor>(ctor: C, size: number): InstanceType<C> {
  const bytes = size * ctor.BYTES_PER_ELEMENT;
  if (bytes <= ON_HEAP_MAX_BYTES || bytes > SLAB_MAX_BYTES) return new ctor(size) as InstanceType<C>;
  if (used + bytes > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const view = new ctor(slab, used, size) as InstanceType<C>;
  used += Math.ceil(bytes / ALIGN) * ALIGN;
  return view;
}
