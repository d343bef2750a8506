import { NDArray, type DType, type Kernel } from "@chainrule/ndarray";
import { copyKernel } from "./elementwise";
import { gpuStorage } from "./memory";
import { MAIN_ARGS, THREAD_INDEX, bufferOf, gridFor, wgslType, type Runner } from "./runner";

/** `x` itself when its elements are row-major from its offset, else a contiguous copy on the device. */
export function contiguous(runner: Runner, x: NDArray): NDArray {
  if (x.isContiguous) return x;
  const out = new NDArray(gpuStorage(runner.gpu.device, x.dtype, x.size), x.shape, x.dtype);
  copyKernel(runner)([x], {}, out);
  return out;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((s, d) => s * d, 1);

/** The index at `k`, negative ones counted from the end of an axis of `n` (as the js kernels do). */
const INDEX = `fn index_(k: i32, n: i32) -> i32 { let v = i32(idx[info[5] + k]); return select(v, v + n, v < 0); }`;

/**
 * One thread per output element (outer a, index i, inner j): out = x[a, idx[i], j].
 * info: size, outer, nIdx, inner, x's offset, idx's offset, axis length.
 */
function gatherShader(d: DType, id: DType): string {
  return `@group(0) @binding(0) var<storage, read_write> out: array<${wgslType(d)}>;
@group(0) @binding(1) var<storage, read> src: array<${wgslType(d)}>;
@group(0) @binding(2) var<storage, read> idx: array<${wgslType(id)}>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
${INDEX}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= info[0]) { return; }
  let inner = info[3];
  let nIdx = info[2];
  let j = i % inner;
  let k = (i / inner) % nIdx;
  let a = i / (inner * nIdx);
  let n = info[6];
  out[i] = src[info[4] + (a * n + index_(k, n)) * inner + j];
}`;
}

/**
 * One thread per output element (outer a, row s, inner j) sums, in index order, every g[a, k, j] whose
 * index is s: no atomics (WGSL has no float atomics), and the same order as the js kernel, so the sums
 * are reproducible. info: size, outer, nIdx, inner, g's offset, idx's offset, the output axis size.
 */
function scatterShader(d: DType, id: DType): string {
  const t = wgslType(d);
  return `@group(0) @binding(0) var<storage, read_write> out: array<${t}>;
@group(0) @binding(1) var<storage, read> src: array<${t}>;
@group(0) @binding(2) var<storage, read> idx: array<${wgslType(id)}>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
${INDEX}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= info[0]) { return; }
  let inner = info[3];
  let nIdx = info[2];
  let n = info[6];
  let j = i % inner;
  let s = (i / inner) % n;
  let a = i / (inner * n);
  var acc = ${t}(0);
  for (var k = 0; k < nIdx; k++) {
    if (index_(k, n) == s) { acc += src[info[4] + (a * nIdx + k) * inner + j]; }
  }
  out[i] = ${d === "uint8" ? "acc & 255u" : "acc"};
}`;
}

export function gatherKernel(runner: Runner): Kernel<"gather"> {
  return ([x0, i0], { axis }, out) => {
    const x = contiguous(runner, x0!);
    const idx = contiguous(runner, i0!);
    const buffers = [bufferOf(out, "gather"), bufferOf(x, "gather"), bufferOf(idx, "gather")];
    if (out.size === 0) return;
    const inner = sizeOf(x.shape.slice(axis + 1));
    const info = [
      out.size,
      sizeOf(x.shape.slice(0, axis)),
      idx.size,
      inner,
      x.offset,
      idx.offset,
      x.shape[axis]!,
    ];
    const code = gatherShader(out.dtype, idx.dtype);
    runner.dispatch("gather", code, buffers, Int32Array.from(info), gridFor(out.size));
  };
}

export function scatterAddKernel(runner: Runner): Kernel<"scatterAdd"> {
  return ([g0, i0], { axis, size }, out) => {
    const g = contiguous(runner, g0!);
    const idx = contiguous(runner, i0!);
    const buffers = [bufferOf(out, "scatterAdd"), bufferOf(g, "scatterAdd"), bufferOf(idx, "scatterAdd")];
    if (out.size === 0) return;
    const outer = sizeOf(g.shape.slice(0, axis));
    const inner = sizeOf(g.shape.slice(axis + idx.ndim));
    const info = [out.size, outer, idx.size, inner, g.offset, idx.offset, size];
    const code = scatterShader(out.dtype, idx.dtype);
    runner.dispatch("scatterAdd", code, buffers, Int32Array.from(info), gridFor(out.size));
  };
}
