// Views of wasm memory for any of ndarray's element types; TypedArray.set converts between them exactly as
// storing each element would (the conversions the reference kernels do element by element).
import type { TypedArray } from "@chainrule/ndarray";
import type { Runtime } from "./runtime";

type TypedCtor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => TypedArray;

/** A view of `length` elements at byte `ptr`, of the same element type as `like` (or `ctor`). */
export function viewLike(rt: Runtime, like: TypedArray | TypedCtor, ptr: number, length: number): TypedArray {
  const ctor = (typeof like === "function" ? like : like.constructor) as TypedCtor;
  return new ctor(rt.memory.buffer, ptr, length);
}

/** Bytes for `length` elements of `like`'s type, padded to whole v128 vectors. */
export function paddedBytes(like: TypedArray | { BYTES_PER_ELEMENT: number }, length: number): number {
  return (like.BYTES_PER_ELEMENT * length + 15) & ~15;
}
