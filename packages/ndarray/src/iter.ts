/**
 * Strided iteration for kernels. Dimensions of size 1 are dropped and neighbouring dimensions
 * that are contiguous for every operand are merged, so most real cases become a few long rows.
 * `fn(offsets, n, innerStrides)` runs once per row; `offsets` is reused between calls.
 */
export function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  fn: (offsets: number[], n: number, inner: readonly number[]) => void,
): void {
  const k = strides.length;
  // Merged dimensions, and each operand's stride along them: st[d * k + j] for operand j.
  const dims: number[] = [];
  const st: number[] = [];
  let nd = 0;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 0) return;
    if (d === 1) continue;
    let merge = nd > 0;
    for (let j = 0; j < k && merge; j++) merge = st[(nd - 1) * k + j] === strides[j]![i]! * d;
    if (merge) {
      dims[nd - 1]! *= d;
      for (let j = 0; j < k; j++) st[(nd - 1) * k + j] = strides[j]![i]!;
    } else {
      dims.push(d);
      for (let j = 0; j < k; j++) st.push(strides[j]![i]!);
      nd++;
    }
  }
  const offs = offsets.slice();
  if (nd === 0) return fn(offs, 1, new Array<number>(k).fill(0));
  const r = nd - 1;
  const n = dims[r]!;
  const inner = st.slice(r * k, r * k + k);
  if (r === 0) return fn(offs, n, inner);
  const idx = new Array<number>(r).fill(0);
  for (;;) {
    fn(offs, n, inner);
    let ax = r - 1;
    for (; ax >= 0; ax--) {
      for (let j = 0; j < k; j++) offs[j]! += st[ax * k + j]!;
      if (++idx[ax]! < dims[ax]!) break;
      for (let j = 0; j < k; j++) offs[j]! -= st[ax * k + j]! * dims[ax]!;
      idx[ax] = 0;
    }
    if (ax < 0) return;
  }
}
