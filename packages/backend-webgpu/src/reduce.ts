import type { DType, Kernel, NDArray, ReduceOp } from "@chainrule/ndarray";
import { broadcastStrides } from "./elementwise";
import {
  ISNAN,
  MAIN_ARGS,
  THREAD_INDEX,
  WORKGROUP,
  bufferOf,
  gridFor,
  wgslType,
  type Runner,
} from "./runner";

// Reductions read their input through `info`: the output size, the rank, the kept shape (reduced axes as
// 1), the input's offset and strides, then the number of reduced axes, the reduced count, the reduced
// axes' sizes and their strides (reduced axes that walk memory as one are merged into one first).

/** WGSL: −∞ through a variable (a constant infinity is a WGSL error). */
const INFINITY = "fn ninf_() -> f32 { var b = 0xff800000u; return bitcast<f32>(b); }";

/** WGSL: the input offset of output element i's first element, and of its j-th reduced element. */
const ADDRESS = `fn base_(i: i32) -> i32 {
  let rank = info[1];
  var base = info[2 + rank];
  var rem = i;
  for (var d = rank - 1; d >= 0; d--) {
    let n = info[2 + d];
    base += (rem % n) * info[3 + rank + d];
    rem = rem / n;
  }
  return base;
}
fn at_(base: i32, j: i32) -> i32 {
  let r0 = 3 + 2 * info[1];
  let nred = info[r0];
  var p = base;
  var q = j;
  for (var d = nred - 1; d >= 0; d--) {
    let n = info[r0 + 2 + d];
    p += (q % n) * info[r0 + 2 + nred + d];
    q = q / n;
  }
  return p;
}
fn len_() -> i32 { return info[4 + 2 * info[1]]; }
fn tail_(k: i32) -> i32 { let r0 = 3 + 2 * info[1]; return info[r0 + 2 + 2 * info[r0] + k]; }`;

const HEADER = (
  from: DType,
  to: DType,
  extra = "",
) => `@group(0) @binding(0) var<storage, read_write> out: array<${wgslType(to)}>;
@group(0) @binding(1) var<storage, read> src: array<${wgslType(from)}>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${extra}
${ISNAN}
${INFINITY}
${ADDRESS}`;

/** One thread per output element, looping over its reduced elements in order. */
function perOutputShader(from: DType, to: DType, init: string, step: string, result: string): string {
  return `${HEADER(from, to)}
@compute @workgroup_size(${WORKGROUP})
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= info[0]) { return; }
  let base = base_(i);
  ${init}
  for (var j = 0; j < len_(); j++) {
    let v = src[at_(base, j)];
    ${step}
  }
  out[i] = ${result};
}`;
}

/** The operation's identity, its accumulation step (`m` ⊕= `v`) and the final store, per dtype. */
interface Combine {
  identity: string;
  step: string;
  result: string;
}

function combineOf(op: ReduceOp, d: DType): Combine {
  const t = wgslType(d);
  const isF = t === "f32";
  const nan = isF ? " || isnan_(v)" : "";
  const keep = isF ? "if (!isnan_(m)) { m = v; }" : "m = v;";
  const wrapped = d === "uint8" ? "m & 255u" : "m";
  const lowest = isF ? "ninf_()" : t === "i32" ? "i32(-2147483647 - 1)" : "0u";
  const highest = isF ? "-ninf_()" : t === "i32" ? "2147483647" : "0xffffffffu";
  switch (op) {
    case "sum":
      return { identity: `${t}(0)`, step: "m += v;", result: wrapped };
    case "prod":
      return { identity: `${t}(1)`, step: "m *= v;", result: wrapped };
    case "max":
      return { identity: lowest, step: `if (v > m${nan}) { ${keep} }`, result: "m" };
    case "min":
      return { identity: highest, step: `if (v < m${nan}) { ${keep} }`, result: "m" };
  }
}

/**
 * Pass 1 of a long reduction: workgroup g reduces chunk g % C of output g / C, each thread a strided
 * slice of the chunk, then a tree in workgroup memory; thread 0 writes the chunk's value to parts[g].
 * Everything is in a fixed order, so the result does not depend on scheduling. The info ends with C and
 * the chunk length. With one chunk per output (`final`) the tree's value is the output itself.
 */
function chunkShader(from: DType, to: DType, c: Combine, final: boolean): string {
  const tree = `var<workgroup> tree: array<${wgslType(to)}, ${WORKGROUP}>;`;
  return `${HEADER(from, to, tree)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let g = i32(wg.x + wg.y * nw.x);
  let C = tail_(0);
  if (g >= info[0] * C) { return; }
  let o = g / C;
  let start = (g % C) * tail_(1);
  let end = min(len_(), start + tail_(1));
  let base = base_(o);
  var m = ${c.identity};
  for (var j = start + i32(lid); j < end; j += ${WORKGROUP}) {
    let v = src[at_(base, j)];
    ${c.step}
  }
  tree[lid] = m;
  workgroupBarrier();
  for (var half = ${WORKGROUP / 2}u; half > 0u; half = half / 2u) {
    if (lid < half) {
      let v = tree[lid + half];
      ${c.step}
      tree[lid] = m;
    }
    workgroupBarrier();
  }
  if (lid == 0u) { m = tree[0]; out[g] = ${final ? c.result : "m"}; }
}`;
}

/** Pass 2: out[o] = the C chunk values of output o combined in chunk order (info: size, C). */
function partsShader(d: DType, c: Combine): string {
  const t = wgslType(d);
  return `@group(0) @binding(0) var<storage, read_write> out: array<${t}>;
@group(0) @binding(1) var<storage, read> parts: array<${t}>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${ISNAN}
${INFINITY}
@compute @workgroup_size(${WORKGROUP})
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= info[0]) { return; }
  let C = info[1];
  var m = parts[i * C];
  for (var k = 1; k < C; k++) {
    let v = parts[i * C + k];
    ${c.step}
  }
  out[i] = ${c.result};
}`;
}

/** Reduced axes in order, merged where one walks memory as the next: same elements, same order, fewer divisions. */
function mergedAxes(x: NDArray, axes: readonly number[]): { sizes: number[]; strides: number[] } {
  const sizes: number[] = [];
  const strides: number[] = [];
  for (const a of axes) {
    const n = x.shape[a]!;
    const s = x.strides[a]!;
    const last = sizes.length - 1;
    if (last >= 0 && strides[last] === s * n) {
      sizes[last] = sizes[last]! * n;
      strides[last] = s;
    } else if (n !== 1) {
      sizes.push(n);
      strides.push(s);
    }
  }
  return { sizes, strides };
}

function meta(x: NDArray, axes: readonly number[], outSize: number): Int32Array {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const { sizes, strides } = mergedAxes(x, axes);
  const len = sizes.reduce((s, d) => s * d, 1);
  const m = [outSize, x.ndim, ...kept, x.offset, ...broadcastStrides(x, x.shape)];
  m.push(sizes.length, len, ...sizes, ...strides);
  return Int32Array.from(m);
}

/** Below this many elements per output a thread per output is fine; at or above it, chunks of workgroups. */
const LONG = 512;
/** Outputs enough to fill the GPU with one thread each (128 workgroups). */
const MANY_OUTPUTS = 128 * WORKGROUP;
/** Workgroups to aim for, and the shortest chunk (16 elements per thread). */
const TARGET_GROUPS = 128;
const MIN_CHUNK = 16 * WORKGROUP;

/** Chunks per output for a long reduction (1: one workgroup per output, no second pass). */
export function reduceChunks(outputs: number, len: number): { chunks: number; chunk: number } {
  const want = Math.max(1, Math.min(Math.ceil(TARGET_GROUPS / outputs), Math.ceil(len / MIN_CHUNK)));
  const chunk = Math.ceil(len / want);
  return { chunks: Math.ceil(len / chunk), chunk };
}

/** Workgroups for `n` groups: a 2-D grid, since one dimension stops at 65535. */
function groupGrid(n: number): [number, number, number] {
  const x = Math.min(n, 65535);
  return [x, Math.ceil(n / x), 1];
}

/**
 * sum / prod / max / min over any set of axes. Few long reductions (bias gradients: 32 outputs of
 * 78,400 elements) are split over workgroups: each reduces a chunk with a tree in workgroup memory, and
 * a second pass combines the chunks; otherwise one thread per output loops over its elements.
 */
export function reduceKernel(runner: Runner, op: ReduceOp): Kernel<ReduceOp> {
  return ([x], { axes }, out) => {
    const buffers = [bufferOf(out, op), bufferOf(x!, op)];
    if (out.size === 0) return;
    const info = meta(x!, axes, out.size);
    const len = info[4 + 2 * x!.ndim]!;
    const c = combineOf(op, out.dtype);
    if (len < LONG || out.size >= MANY_OUTPUTS) {
      const init = `var m = ${c.identity};`;
      const code = perOutputShader(x!.dtype, out.dtype, init, c.step, c.result);
      return runner.dispatch(op, code, buffers, info, gridFor(out.size));
    }
    const { chunks, chunk } = reduceChunks(out.size, len);
    const groups = groupGrid(out.size * chunks);
    const code = chunkShader(x!.dtype, out.dtype, c, chunks === 1);
    const chunked = Int32Array.from([...info, chunks, chunk]);
    if (chunks === 1) return runner.dispatch(op, code, buffers, chunked, groups);
    const parts = runner.scratch(out.size * chunks);
    runner.dispatch(op, code, [parts, buffers[1]!], chunked, groups);
    const sum = partsShader(out.dtype, c);
    const info2 = Int32Array.from([out.size, chunks]);
    runner.dispatch(op, sum, [buffers[0]!, parts], info2, gridFor(out.size), [parts]);
  };
}

/** The first index of the best value; a NaN wins at once (as the js kernel). */
export function argKernel(runner: Runner, op: "argmax" | "argmin"): Kernel<"argmax" | "argmin"> {
  return ([x], { axis }, out) => {
    const buffers = [bufferOf(out, op), bufferOf(x!, op)];
    if (out.size === 0) return;
    const cmp = op === "argmax" ? ">" : "<";
    const nan = x!.dtype === "float32" ? " || isnan_(v)" : "";
    const init = "var m = src[base]; var at = 0;";
    const step = `if (j > 0 && !${x!.dtype === "float32" ? "isnan_(m)" : "false"} && (v ${cmp} m${nan})) { m = v; at = j; }`;
    const code = perOutputShader(x!.dtype, out.dtype, init, step, "at");
    runner.dispatch(op, code, buffers, meta(x!, [axis], out.size), gridFor(out.size));
  };
}
