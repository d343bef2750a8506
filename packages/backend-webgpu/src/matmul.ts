import type { DType, Kernel } from "@chainrule/ndarray";
import { broadcastStrides } from "./elementwise";
import { MAIN_ARGS, THREAD_INDEX, WORKGROUP, bufferOf, gridFor, wgslType, type Runner } from "./runner";

/** Output tile per workgroup (TILE×TILE), threads per workgroup (THREADS×THREADS), each PER×PER outputs. */
const TILE = 32;
const THREADS = 8;
const PER = TILE / THREADS;
const LOADS = (TILE * TILE) / (THREADS * THREADS);

/**
 * C = A·B per batch entry, one 32×32 output tile per workgroup of 8×8 threads, each thread a 4×4 block of
 * outputs in four vec4 registers: each step stages a 32×32 tile of A and of B (as vec4 rows) in workgroup
 * memory, so every element is read from the buffers once per tile and every barrier is amortized over 512
 * multiply-adds per thread. Vector registers, not arrays, hold the sums: CPU emulators (SwiftShader) keep
 * them in SIMD registers, about 9× faster there than scalar or array accumulators. Each output sums over
 * k in order. Operands are read through their strides (transposed, sliced, broadcast batch).
 *
 * Split K: workgroup z = batch · splits + split sums only k in [split·chunk, (split + 1)·chunk) and writes
 * its partial product to slice `split` of a [splits, batch, M, N] buffer (`splits` = 1: the output itself).
 * meta: m, n, k, splits, chunk, batch count, nb, batch shape, then per operand its offset, batch strides, row and
 * column strides.
 */
function shader(d: DType): string {
  const t = wgslType(d);
  const v = `vec4<${t}>`;
  const wrap = (x: string) => (d === "uint8" ? `(${x} & vec4<u32>(255u))` : x);
  return `@group(0) @binding(0) var<storage, read_write> out: array<${t}>;
@group(0) @binding(1) var<storage, read> A: array<${t}>;
@group(0) @binding(2) var<storage, read> B: array<${t}>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
var<workgroup> As: array<array<${t}, ${TILE}>, ${TILE}>;
var<workgroup> Bs: array<array<${v}, ${TILE / PER}>, ${TILE}>;
fn store(row: i32, col0: i32, M: i32, N: i32, base: i32, c: ${v}) {
  if (row >= M) { return; }
  for (var j = 0; j < ${PER}; j++) { if (col0 + j < N) { out[base + row * N + col0 + j] = c[j]; } }
}
@compute @workgroup_size(${THREADS}, ${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = info[0];
  let N = info[1];
  let splits = info[3];
  let chunk = info[4];
  let batches = info[5];
  let nb = info[6];
  let a0 = 7 + nb;
  let b0 = a0 + nb + 3;
  let lx = i32(lid.x);
  let ly = i32(lid.y);
  let flat = ly * ${THREADS} + lx;
  let row0 = i32(wg.y) * ${TILE};
  let col0 = i32(wg.x) * ${TILE};
  let split = i32(wg.z) % splits;
  let batch = i32(wg.z) / splits;
  let k0 = split * chunk;
  let K = min(info[2], k0 + chunk);
  var ao = info[a0];
  var bo = info[b0];
  var rem = batch;
  for (var d = nb - 1; d >= 0; d--) {
    let n = info[7 + d];
    let c = rem % n;
    rem = rem / n;
    ao += c * info[a0 + 1 + d];
    bo += c * info[b0 + 1 + d];
  }
  let ars = info[a0 + 1 + nb];
  let acs = info[a0 + 2 + nb];
  let brs = info[b0 + 1 + nb];
  let bcs = info[b0 + 2 + nb];
  var c0 = ${v}(${t}(0));
  var c1 = ${v}(${t}(0));
  var c2 = ${v}(${t}(0));
  var c3 = ${v}(${t}(0));
  for (var s = k0; s < K; s += ${TILE}) {
    for (var l = 0; l < ${LOADS}; l++) {
      let e = flat + l * ${THREADS * THREADS};
      let r = e / ${TILE};
      let c = e % ${TILE};
      let ka = s + c;
      let kb = s + r;
      As[r][c] = select(${t}(0), A[ao + (row0 + r) * ars + ka * acs], row0 + r < M && ka < K);
      Bs[r][c / ${PER}][c % ${PER}] = select(${t}(0), B[bo + kb * brs + (col0 + c) * bcs], kb < K && col0 + c < N);
    }
    workgroupBarrier();
    let r = ly * ${PER};
    for (var kk = 0; kk < ${TILE}; kk++) {
      let b = Bs[kk][lx];
      c0 += As[r][kk] * b;
      c1 += As[r + 1][kk] * b;
      c2 += As[r + 2][kk] * b;
      c3 += As[r + 3][kk] * b;
    }
    workgroupBarrier();
  }
  let base = (split * batches + batch) * M * N;
  let row = row0 + ly * ${PER};
  let col = col0 + lx * ${PER};
  store(row, col, M, N, base, ${wrap("c0")});
  store(row + 1, col, M, N, base, ${wrap("c1")});
  store(row + 2, col, M, N, base, ${wrap("c2")});
  store(row + 3, col, M, N, base, ${wrap("c3")});
}`;
}

/** out[i] = the sum of the `splits` partial products at i, in split order (info: size, splits). */
function sumSplitsShader(d: DType): string {
  const t = wgslType(d);
  return `@group(0) @binding(0) var<storage, read_write> out: array<${t}>;
@group(0) @binding(1) var<storage, read> parts: array<${t}>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@compute @workgroup_size(${WORKGROUP})
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  let size = info[0];
  if (i >= size) { return; }
  var acc = parts[i];
  for (var s = 1; s < info[1]; s++) { acc += parts[s * size + i]; }
  out[i] = ${d === "uint8" ? "acc & 255u" : "acc"};
}`;
}

/**
 * Fewer output tiles than this and a long K split K, up to this many workgroups. Kept low: on SwiftShader
 * (2 shared cores here) 18 tiles already fill the machine and splitting them measured no faster.
 */
const TARGET_GROUPS = 16;
/** The shortest K range a split sums (8 tiles): below it the extra pass costs more than it saves. */
const MIN_CHUNK = 8 * TILE;

/**
 * How many K ranges to split the product into, and their length (a multiple of the tile): one range
 * unless the output has too few tiles to fill the GPU and K is long (weight gradients: M·N small, K the
 * batch times the pixels).
 */
export function splitK(tiles: number, k: number): { splits: number; chunk: number } {
  const whole = { splits: 1, chunk: Math.max(k, 1) };
  if (tiles >= TARGET_GROUPS || k < 2 * MIN_CHUNK) return whole;
  const want = Math.min(Math.ceil(TARGET_GROUPS / tiles), Math.floor(k / MIN_CHUNK));
  const chunk = Math.ceil(k / want / TILE) * TILE;
  const splits = Math.ceil(k / chunk);
  return splits > 1 ? { splits, chunk } : whole;
}

export function matmulKernel(runner: Runner): Kernel<"matmul"> {
  return ([a, b], _p, out) => {
    const buffers = [bufferOf(out, "matmul"), bufferOf(a!, "matmul"), bufferOf(b!, "matmul")];
    if (out.size === 0) return;
    const r = out.ndim;
    const [m, k, n] = [a!.shape[r - 2]!, a!.shape[r - 1]!, b!.shape[r - 1]!];
    const batchShape = out.shape.slice(0, r - 2);
    const batch = batchShape.reduce((s, d) => s * d, 1);
    const tiles = [Math.ceil(n / TILE), Math.ceil(m / TILE)] as const;
    const { splits, chunk } = splitK(tiles[0] * tiles[1] * batch, k);
    const meta = [m, n, k, splits, chunk, batch, r - 2, ...batchShape];
    for (const x of [a!, b!]) {
      const s = broadcastStrides(x, [...batchShape, x.shape[r - 2]!, x.shape[r - 1]!]);
      meta.push(x.offset, ...s.slice(0, r - 2), x.strides[r - 2]!, x.strides[r - 1]!);
    }
    const code = shader(out.dtype);
    const groups = [tiles[0], tiles[1], batch * splits] as const;
    if (splits === 1) return runner.dispatch("matmul", code, buffers, Int32Array.from(meta), groups);
    // Partial products of each K range side by side, then one pass sums them in split order.
    const parts = runner.scratch(splits * out.size);
    runner.dispatch("matmul", code, [parts, buffers[1]!, buffers[2]!], Int32Array.from(meta), groups);
    const info = Int32Array.from([out.size, splits]);
    const sum = sumSplitsShader(out.dtype);
    runner.dispatch("matmul", sum, [buffers[0]!, parts], info, gridFor(out.size), [parts]);
  };
}
