// Views and copies between caller arrays and wasm memory. Views are created after all allocations
// of a call, because growing memory replaces (and for private memory detaches) the buffer.
import type { Dtype, FloatArray } from "../dtype";
import * as resident from "./resident";
import type { Runtime } from "./runtime";

export function view(rt: Runtime, dtype: Dtype, ptr: number, length: number): FloatArray {
  const buffer = rt.memory.buffer;
  return dtype === "float32" ? new Float32Array(buffer, ptr, length) : new Float64Array(buffer, ptr, length);
}

export function copyIn(
  rt: Runtime,
  ptr: number,
  src: FloatArray,
  offset = 0,
  length = src.length - offset,
): void {
  resident.copyIn(rt, ptr, src, offset, length);
}

export function copyOut(
  rt: Runtime,
  ptr: number,
  dst: FloatArray,
  offset = 0,
  length = dst.length - offset,
): void {
  resident.copyOut(rt, ptr, dst, offset, length);
}
