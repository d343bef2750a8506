import type { DType, Kernel } from "@chainrule/ndarray";
import { broadcastStrides } from "./elementwise";
import { bufferOf, wgslType, type Runner } from "./runner";

const TILE = 16;

/**
 * C = A·B per batch entry, one 16×16 output tile per workgroup: each step stages a 16×16 tile of A
 * and of B in workgroup memory, so every element is read from the buffers once per tile instead of
 * once per product. Operands are read through their strides (transposed, sliced, broadcast batch).
 * meta: m, n, k, nb, batch shape, then per operand its offset, batch strides, row and column strides.
 */
function shader(d: DType): string {
  const t = wgslType(d);
  const result = d === "uint8" ? "acc & 255u" : "acc";
  return `@group(0) @binding(0) var<storage, read_write> out: array<${t}>;
@group(0) @binding(1) var<storage, read> A: array<${t}>;
@group(0) @binding(2) var<storage, read> B: array<${t}>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
var<workgroup> As: array<array<${t}, ${TILE}>, ${TILE}>;
var<workgroup> Bs: array<array<${t}, ${TILE}>, ${TILE}>;
@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = info[0];
  let N = info[1];
  let K = info[2];
  let nb = info[3];
  let a0 = 4 + nb;
  let b0 = a0 + nb + 3;
  let lx = i32(lid.x);
  let ly = i32(lid.y);
  let row = i32(wg.y) * ${TILE} + ly;
  let col = i32(wg.x) * ${TILE} + lx;
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
  var acc = ${t}(0);
  let tiles = (K + ${TILE - 1}) / ${TILE};
  for (var s = 0; s < tiles; s++) {
    let ka = s * ${TILE} + lx;
    let kb = s * ${TILE} + ly;
    As[ly][lx] = select(${t}(0), A[ao + row * ars + ka * acs], row < M && ka < K);
    Bs[ly][lx] = select(${t}(0), B[bo + kb * brs + col * bcs], kb < K && col < N);
    workgroupBarrier();
    for (var q = 0; q < ${TILE}; q++) { acc += As[ly][q] * Bs[q][lx]; }
    workgroupBarrier();
  }
  if (row < M && col < N) { out[batch * M * N + row * N + col] = ${result}; }
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
