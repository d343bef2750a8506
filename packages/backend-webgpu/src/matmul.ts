import type { DType, Kernel } from "@chainrule/ndarray";
import { broadcastStrides } from "./elementwise";
import { bufferOf, wgslType, type Runner } from "./runner";

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
 * meta: m, n, k, nb, batch shape, then per operand its offset, batch strides, row and column strides.
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
  let K = info[2];
  let nb = info[3];
  let a0 = 4 + nb;
  let b0 = a0 + nb + 3;
  let lx = i32(lid.x);
  let ly = i32(lid.y);
  let flat = ly * ${THREADS} + lx;
  let row0 = i32(wg.y) * ${TILE};
  let col0 = i32(wg.x) * ${TILE};
  let batch = i32(wg.z);
  var ao = info[a0];
  var bo = info[b0];
  var rem = batch;
  for (var d = nb - 1; d >= 0; d--) {
    let n = info[4 + d];
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
  let tiles = (K + ${TILE - 1}) / ${TILE};
  for (var s = 0; s < tiles; s++) {
    for (var l = 0; l < ${LOADS}; l++) {
      let e = flat + l * ${THREADS * THREADS};
      let r = e / ${TILE};
      let c = e % ${TILE};
      let ka = s * ${TILE} + c;
      let kb = s * ${TILE} + r;
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
  let base = batch * M * N;
  let row = row0 + ly * ${PER};
  let col = col0 + lx * ${PER};
  store(row, col, M, N, base, ${wrap("c0")});
  store(row + 1, col, M, N, base, ${wrap("c1")});
  store(row + 2, col, M, N, base, ${wrap("c2")});
  store(row + 3, col, M, N, base, ${wrap("c3")});
}`;
}

export function matmulKernel(runner: Runner): Kernel<"matmul"> {
  return ([a, b], _p, out) => {
    const buffers = [bufferOf(out, "matmul"), bufferOf(a!, "matmul"), bufferOf(b!, "matmul")];
    if (out.size === 0) return;
    const r = out.ndim;
    const [m, k, n] = [a!.shape[r - 2]!, a!.shape[r - 1]!, b!.shape[r - 1]!];
    const batchShape = out.shape.slice(0, r - 2);
    const batch = batchShape.reduce((s, d) => s * d, 1);
    const meta = [m, n, k, r - 2, ...batchShape];
    for (const x of [a!, b!]) {
      const s = broadcastStrides(x, [...batchShape, x.shape[r - 2]!, x.shape[r - 1]!]);
      meta.push(x.offset, ...s.slice(0, r - 2), x.strides[r - 2]!, x.strides[r - 1]!);
    }
    const groups = [Math.ceil(n / TILE), Math.ceil(m / TILE), batch] as const;
    runner.dispatch("matmul", shader(out.dtype), buffers, Int32Array.from(meta), groups);
  };
}
