// Blocked GEMM, C = alpha·op(A)·op(B) + beta·C, row-major, generic over f32/f64.
//
// Layout follows the usual Goto/BLIS scheme: a KC×NC block of B is packed into
// NR-wide panels, an MC×KC block of A into MR-tall panels (alpha folded in), and
// a MR×NR micro-kernel keeps its tile of C in v128 accumulators. Packing also
// absorbs the transposes, so the micro-kernel only ever sees one layout.
//
// Tile shapes are chosen for V8's x64 code generator, which keeps every value a
// loop iteration loads live at once (it schedules the loads first) and has 15
// allocatable XMM registers:
//  - default build, f32 4×8 and f64 4×4: 8 accumulators + 2 B + 4 A + 1 product
//    temporary. Larger tiles spill an accumulator, which costs more than they save.
//  - relaxed build, f32 3×12: 9 accumulators + 3 B + 3 A, no temporary with FMA;
//    one broadcast per three FMAs instead of per two (measured ~5–10% faster).

const KC: i32 = 384; // 3-row panel + 12-column B panel at KC stay well inside a 32 KiB L1d
const MC: i32 = 128;
const NC: i32 = 1024;

function lanes<T>(): i32 {
  return 16 / (sizeof<T>() as i32);
}

/** v128 accumulators per tile row. */
function nv<T>(): i32 {
  return isDefined(RELAXED) && sizeof<T>() == 4 ? 3 : 2;
}

export function nr<T>(): i32 {
  return nv<T>() * lanes<T>();
}

export function mr<T>(): i32 {
  return isDefined(RELAXED) && sizeof<T>() == 4 ? 3 : 4;
}

// Block sizes rounded to whole tiles.
function mcBlock<T>(): i32 {
  return (MC / mr<T>()) * mr<T>();
}

function ncBlock<T>(): i32 {
  return (NC / nr<T>()) * nr<T>();
}

function ceilDiv(x: i32, d: i32): i32 {
  return (x + d - 1) / d;
}

function roundUp(x: i32, m: i32): i32 {
  return ((x + m - 1) / m) * m;
}

/** Bytes of per-thread scratch gemm needs for a problem of this size. */
export function scratchBytes<T>(m: i32, n: i32, k: i32): i32 {
  return <i32>(tmpOffset<T>(m, n, k) + <usize>(mr<T>() * nr<T>()) * sizeof<T>());
}

// Scratch layout: packed A | SLACK | packed B | tmp tile. 3-row A packing writes whole
// v128s that overhang its panel by one element; the slack keeps that off packed B.
const SLACK: usize = 64;

function packedBOffset<T>(m: i32, k: i32): usize {
  return <usize>(min(k, KC) * min(roundUp(m, mr<T>()), mcBlock<T>())) * sizeof<T>() + SLACK;
}

function tmpOffset<T>(m: i32, n: i32, k: i32): usize {
  return packedBOffset<T>(m, k) + <usize>(min(k, KC) * min(roundUp(n, nr<T>()), ncBlock<T>())) * sizeof<T>();
}

export function at<T>(base: usize, index: i32): usize {
  return base + <usize>index * sizeof<T>();
}

// Transposes a 4-row × L-column tile (L = lanes) read at src (row stride srcStride bytes)
// into L groups of 4 consecutive elements at dst, dst + dstStride, ...; scaled by va.
function transposeTile<T>(src: usize, srcStride: usize, dst: usize, dstStride: usize, va: v128): void {
  const r0 = v128.mul<T>(v128.load(src), va);
  const r1 = v128.mul<T>(v128.load(src + srcStride), va);
  const r2 = v128.mul<T>(v128.load(src + 2 * srcStride), va);
  const r3 = v128.mul<T>(v128.load(src + 3 * srcStride), va);
  if (sizeof<T>() == 4) {
    const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
    const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
    v128.store(dst + dstStride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
    v128.store(dst + 2 * dstStride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
    v128.store(dst + 3 * dstStride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
  } else {
    v128.store(dst, v128.shuffle<f64>(r0, r1, 0, 2));
    v128.store(dst, v128.shuffle<f64>(r2, r3, 0, 2), 16);
    v128.store(dst + dstStride, v128.shuffle<f64>(r0, r1, 1, 3));
    v128.store(dst + dstStride, v128.shuffle<f64>(r2, r3, 1, 3), 16);
  }
}

// Packs the kb×nb block of op(B) at b into NR-wide panels, zero-padding the last.
function packB<T>(transB: i32, b: usize, ldb: i32, kb: i32, nb: i32, dst: usize): void {
  const NR = nr<T>();
  const rowBytes = <usize>NR * sizeof<T>();
  for (let j0 = 0; j0 < nb; j0 += NR) {
    const w = min(NR, nb - j0);
    const panel = at<T>(dst, j0 * kb);
    if (transB == 0) {
      if (w == NR) {
        // Row p of the panel is NR contiguous elements of B's row p.
        let src = at<T>(b, j0);
        let d = panel;
        const stride = <usize>ldb * sizeof<T>();
        for (let p = 0; p < kb; p++) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          if (nv<T>() == 3) v128.store(d, v128.load(src, 32), 32);
          src += stride;
          d += rowBytes;
        }
      } else {
        for (let p = 0; p < kb; p++) {
          const src = at<T>(b, p * ldb + j0);
          const d = at<T>(panel, p * NR);
          for (let jj = 0; jj < NR; jj++) {
            store<T>(at<T>(d, jj), jj < w ? load<T>(at<T>(src, jj)) : (0 as T));
          }
        }
      }
    } else if (w == NR) {
      // op(B)[p][j] = B[j][p]: transpose 4 stored rows × L columns at a time.
      const L = lanes<T>();
      const stride = <usize>ldb * sizeof<T>();
      const one = v128.splat<T>(1 as T);
      let p = 0;
      for (; p + L <= kb; p += L) {
        for (let g = 0; g < NR; g += 4) {
          transposeTile<T>(at<T>(b, (j0 + g) * ldb + p), stride, at<T>(panel, p * NR + g), rowBytes, one);
        }
      }
      for (; p < kb; p++) {
        for (let jj = 0; jj < NR; jj++)
          store<T>(at<T>(panel, p * NR + jj), load<T>(at<T>(b, (j0 + jj) * ldb + p)));
      }
    } else {
      // Edge panel: read each stored row contiguously, scatter into the zeroed panel.
      memory.fill(panel, 0, <usize>kb * rowBytes);
      for (let jj = 0; jj < w; jj++) {
        let src = at<T>(b, (j0 + jj) * ldb);
        let d = at<T>(panel, jj);
        for (let p = 0; p < kb; p++) {
          store<T>(d, load<T>(src));
          src += sizeof<T>();
          d += rowBytes;
        }
      }
    }
  }
}

// Packs the mb×kb block of alpha·op(A) at a into MR-tall panels (element [p][i]).
// With MR = 3 (f32 only) whole v128s are stored at a 3-element pitch, in increasing
// address order, so each store's 4th lane is overwritten by the next one; the last
// lands in the SLACK after packed A. The loads may read one element past op(A)'s
// MR rows, which is still inside the operand copies in wasm memory.
function packA<T>(transA: i32, a: usize, lda: i32, mb: i32, kb: i32, alpha: T, dst: usize): void {
  const MR = mr<T>();
  const pitch = <usize>MR * sizeof<T>();
  const va = v128.splat<T>(alpha);
  for (let i0 = 0; i0 < mb; i0 += MR) {
    const h = min(MR, mb - i0);
    const panel = at<T>(dst, i0 * kb);
    if (transA != 0 && h == MR) {
      // op(A)[i][p] = A[p][i]: MR rows of op(A) are contiguous in stored row p.
      let src = at<T>(a, i0);
      let d = panel;
      const stride = <usize>lda * sizeof<T>();
      for (let p = 0; p < kb; p++) {
        v128.store(d, v128.mul<T>(v128.load(src), va));
        if (sizeof<T>() == 8) v128.store(d, v128.mul<T>(v128.load(src, 16), va), 16);
        src += stride;
        d += pitch;
      }
      continue;
    }
    if (transA == 0 && h == MR) {
      // op(A) rows are stored rows: transpose 4 rows × L columns at a time.
      const L = lanes<T>();
      const stride = <usize>lda * sizeof<T>();
      let p = 0;
      if (MR == 4) {
        for (; p + L <= kb; p += L) {
          transposeTile<T>(at<T>(a, i0 * lda + p), stride, at<T>(panel, p * MR), pitch, va);
        }
      } else {
        // f32, 3 rows: transpose as 4 rows with row 2 repeated, store overlapping.
        for (; p + 4 <= kb; p += 4) {
          const src = at<T>(a, i0 * lda + p);
          const r0 = v128.mul<T>(v128.load(src), va);
          const r1 = v128.mul<T>(v128.load(src + stride), va);
          const r2 = v128.mul<T>(v128.load(src + 2 * stride), va);
          const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(r2, r2, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
          const t3 = v128.shuffle<f32>(r2, r2, 2, 6, 3, 7);
          const d = at<T>(panel, p * MR);
          v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
          v128.store(d + pitch, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
          v128.store(d + 2 * pitch, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
          v128.store(d + 3 * pitch, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
        }
      }
      for (; p < kb; p++) {
        for (let ii = 0; ii < MR; ii++)
          store<T>(at<T>(panel, p * MR + ii), load<T>(at<T>(a, (i0 + ii) * lda + p)) * alpha);
      }
      continue;
    }
    if (h < MR) memory.fill(panel, 0, <usize>kb * pitch);
    for (let ii = 0; ii < h; ii++) {
      let d = at<T>(panel, ii);
      if (transA == 0) {
        let src = at<T>(a, (i0 + ii) * lda);
        for (let p = 0; p < kb; p++) {
          store<T>(d, load<T>(src) * alpha);
          src += sizeof<T>();
          d += pitch;
        }
      } else {
        let src = at<T>(a, i0 + ii);
        const stride = <usize>lda * sizeof<T>();
        for (let p = 0; p < kb; p++) {
          store<T>(d, load<T>(src) * alpha);
          src += stride;
          d += pitch;
        }
      }
    }
  }
}

// Writes one accumulator vector into C honouring beta; beta == 0 never reads C.
function storeVec<T>(dst: usize, x: v128, beta: T): void {
  if (beta == 0) {
    v128.store(dst, x);
  } else if (beta == 1) {
    v128.store(dst, v128.add<T>(v128.load(dst), x));
  } else {
    v128.store(dst, v128.add<T>(v128.mul<T>(v128.load(dst), v128.splat<T>(beta)), x));
  }
}

// a·b + c. The relaxed-SIMD build (scripts/build-wasm.mjs passes `--use RELAXED=1`) lets
// V8 emit one FMA instead of a multiply and an add; this is a compile-time switch.
function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (isDefined(RELAXED)) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(c, v128.mul<T>(a, b));
}

// Copies a partial h×w tile (stored row-major with NR columns at tmp) into C.
function storeEdge<T>(tmp: usize, c: usize, ldc: i32, beta: T, h: i32, w: i32): void {
  const NR = nr<T>();
  for (let i = 0; i < h; i++) {
    const row = at<T>(c, i * ldc);
    for (let j = 0; j < w; j++) {
      const v = load<T>(at<T>(tmp, i * NR + j));
      const dst = at<T>(row, j);
      store<T>(dst, beta == 0 ? v : beta * load<T>(dst) + v);
    }
  }
}

// 4×(2 v128) micro-kernel over packed panels. h×w is the valid part of the tile;
// partial tiles go through tmp so the hot loop never branches on edges.
function micro4<T>(
  kb: i32,
  pa: usize,
  pb: usize,
  c: usize,
  ldc: i32,
  beta: T,
  h: i32,
  w: i32,
  tmp: usize,
): void {
  const SZ = sizeof<T>();
  let c00 = v128.splat<T>(0 as T);
  let c01 = c00;
  let c10 = c00;
  let c11 = c00;
  let c20 = c00;
  let c21 = c00;
  let c30 = c00;
  let c31 = c00;
  const end = pb + <usize>kb * 32;
  while (pb < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load_splat<T>(pa);
    c00 = madd<T>(a, b0, c00);
    c01 = madd<T>(a, b1, c01);
    a = v128.load_splat<T>(pa, SZ);
    c10 = madd<T>(a, b0, c10);
    c11 = madd<T>(a, b1, c11);
    a = v128.load_splat<T>(pa, 2 * SZ);
    c20 = madd<T>(a, b0, c20);
    c21 = madd<T>(a, b1, c21);
    a = v128.load_splat<T>(pa, 3 * SZ);
    c30 = madd<T>(a, b0, c30);
    c31 = madd<T>(a, b1, c31);
    pa += 4 * SZ;
    pb += 32;
  }
  const full = h == 4 && w == nr<T>();
  const rowBytes = <usize>ldc * SZ;
  const dst = full ? c : tmp;
  const pitch = full ? rowBytes : 32;
  const bt: T = full ? beta : (0 as T);
  storeVec<T>(dst, c00, bt);
  storeVec<T>(dst + 16, c01, bt);
  storeVec<T>(dst + pitch, c10, bt);
  storeVec<T>(dst + pitch + 16, c11, bt);
  storeVec<T>(dst + 2 * pitch, c20, bt);
  storeVec<T>(dst + 2 * pitch + 16, c21, bt);
  storeVec<T>(dst + 3 * pitch, c30, bt);
  storeVec<T>(dst + 3 * pitch + 16, c31, bt);
  if (!full) storeEdge<T>(tmp, c, ldc, beta, h, w);
}

// 3×(3 v128) micro-kernel (relaxed build, f32): same contract as micro4.
function micro3<T>(
  kb: i32,
  pa: usize,
  pb: usize,
  c: usize,
  ldc: i32,
  beta: T,
  h: i32,
  w: i32,
  tmp: usize,
): void {
  const SZ = sizeof<T>();
  let c00 = v128.splat<T>(0 as T);
  let c01 = c00;
  let c02 = c00;
  let c10 = c00;
  let c11 = c00;
  let c12 = c00;
  let c20 = c00;
  let c21 = c00;
  let c22 = c00;
  const end = pb + <usize>kb * 48;
  while (pb < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const b2 = v128.load(pb, 32);
    let a = v128.load_splat<T>(pa);
    c00 = madd<T>(a, b0, c00);
    c01 = madd<T>(a, b1, c01);
    c02 = madd<T>(a, b2, c02);
    a = v128.load_splat<T>(pa, SZ);
    c10 = madd<T>(a, b0, c10);
    c11 = madd<T>(a, b1, c11);
    c12 = madd<T>(a, b2, c12);
    a = v128.load_splat<T>(pa, 2 * SZ);
    c20 = madd<T>(a, b0, c20);
    c21 = madd<T>(a, b1, c21);
    c22 = madd<T>(a, b2, c22);
    pa += 3 * SZ;
    pb += 48;
  }
  const full = h == 3 && w == nr<T>();
  const rowBytes = <usize>ldc * SZ;
  const dst = full ? c : tmp;
  const pitch = full ? rowBytes : 48;
  const bt: T = full ? beta : (0 as T);
  storeVec<T>(dst, c00, bt);
  storeVec<T>(dst + 16, c01, bt);
  storeVec<T>(dst + 32, c02, bt);
  storeVec<T>(dst + pitch, c10, bt);
  storeVec<T>(dst + pitch + 16, c11, bt);
  storeVec<T>(dst + pitch + 32, c12, bt);
  storeVec<T>(dst + 2 * pitch, c20, bt);
  storeVec<T>(dst + 2 * pitch + 16, c21, bt);
  storeVec<T>(dst + 2 * pitch + 32, c22, bt);
  if (!full) storeEdge<T>(tmp, c, ldc, beta, h, w);
}

/** Even k blocks (784 → 4×196, not 3×256 + 16): a thin last block costs a full pass over C. */
export function kBlock(k: i32): i32 {
  return ceilDiv(k, ceilDiv(k, KC));
}

// The rows [i0, i1) × columns [j0, j1) of C (i0 a multiple of MR, j0 of NR). packedA / packedB, when not
// 0, hold all of alpha·op(A) / op(B) packed by packAllA / packAllB; otherwise each block is packed into
// scratch here. Every C element sees the same k blocks in the same order whatever the block bounds, so
// any partition of C into blocks gives bit-identical results (what the threaded split relies on).
// Callers handle m, n == 0, k == 0 and alpha == 0 (they only scale C).
export function gemmBlock<T>(
  transA: i32,
  transB: i32,
  m: i32,
  n: i32,
  k: i32,
  alpha: T,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  beta: T,
  c: usize,
  ldc: i32,
  packedA: usize,
  packedB: usize,
  i0: i32,
  i1: i32,
  j0: i32,
  j1: i32,
  scratch: usize,
): void {
  const MR = mr<T>();
  const NR = nr<T>();
  const MCB = mcBlock<T>();
  const NCB = ncBlock<T>();
  const kcb = kBlock(k);
  const mPad = roundUp(m, MR);
  const nPad = roundUp(n, NR);
  const pA = scratch;
  const pB = scratch + packedBOffset<T>(i1 - i0, k);
  const tmp = scratch + tmpOffset<T>(i1 - i0, j1 - j0, k);
  for (let jc = j0; jc < j1; jc += NCB) {
    const nb = min(NCB, j1 - jc);
    for (let pc = 0; pc < k; pc += kcb) {
      const kb = min(kcb, k - pc);
      let panelsB = pB;
      if (packedB != 0) panelsB = at<T>(packedB, pc * nPad + jc * kb);
      else packB<T>(transB, at<T>(b, transB != 0 ? jc * ldb + pc : pc * ldb + jc), ldb, kb, nb, pB);
      const betaBlock: T = pc == 0 ? beta : (1 as T);
      for (let ic = i0; ic < i1; ic += MCB) {
        const mb = min(MCB, i1 - ic);
        let panelsA = pA;
        if (packedA != 0) panelsA = at<T>(packedA, pc * mPad + ic * kb);
        else packA<T>(transA, at<T>(a, transA != 0 ? pc * lda + ic : ic * lda + pc), lda, mb, kb, alpha, pA);
        for (let jr = 0; jr < nb; jr += NR) {
          const w = min(NR, nb - jr);
          const panelB = at<T>(panelsB, jr * kb);
          for (let ir = 0; ir < mb; ir += MR) {
            const cTile = at<T>(c, (ic + ir) * ldc + jc + jr);
            const h = min(MR, mb - ir);
            if (MR == 3) micro3<T>(kb, at<T>(panelsA, ir * kb), panelB, cTile, ldc, betaBlock, h, w, tmp);
            else micro4<T>(kb, at<T>(panelsA, ir * kb), panelB, cTile, ldc, betaBlock, h, w, tmp);
          }
        }
      }
    }
  }
}

/** Bytes packAllA needs: every k block of alpha·op(A) in MR-row panels, plus the 3-row packing's overhang. */
export function packedABytes<T>(m: i32, k: i32): i32 {
  return k * roundUp(m, mr<T>()) * (sizeof<T>() as i32) + (SLACK as i32);
}

/** Bytes packAllB needs: every k block of op(B) in NR-column panels. */
export function packedBBytes<T>(n: i32, k: i32): i32 {
  return k * roundUp(n, nr<T>()) * (sizeof<T>() as i32) + (SLACK as i32);
}

// All of alpha·op(A): k block pc (height kb) starts at element pc·roundUp(m, MR) and holds its MR-row
// panels one after another, the layout gemmBlock's packedA reads. In increasing order, so the 3-row
// packing's one-element overhang is always overwritten by the next block (or lands in SLACK).
export function packAllA<T>(transA: i32, m: i32, k: i32, alpha: T, a: usize, lda: i32, dst: usize): void {
  const kcb = kBlock(k);
  const mPad = roundUp(m, mr<T>());
  for (let pc = 0; pc < k; pc += kcb) {
    const kb = min(kcb, k - pc);
    packA<T>(transA, at<T>(a, transA != 0 ? pc * lda : pc), lda, m, kb, alpha, at<T>(dst, pc * mPad));
  }
}

// All of op(B): k block pc starts at element pc·roundUp(n, NR) (gemmBlock's packedB).
export function packAllB<T>(transB: i32, n: i32, k: i32, b: usize, ldb: i32, dst: usize): void {
  const kcb = kBlock(k);
  const nPad = roundUp(n, nr<T>());
  for (let pc = 0; pc < k; pc += kcb) {
    const kb = min(kcb, k - pc);
    packB<T>(transB, at<T>(b, transB != 0 ? pc : pc * ldb), ldb, kb, n, at<T>(dst, pc * nPad));
  }
}

// Callers handle m, n == 0, k == 0 and alpha == 0 (they only scale C).
function gemm<T>(
  transA: i32,
  transB: i32,
  m: i32,
  n: i32,
  k: i32,
  alpha: T,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  beta: T,
  c: usize,
  ldc: i32,
  scratch: usize,
): void {
  gemmBlock<T>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 0, 0, 0, m, 0, n, scratch);
}

function gemmBatched<T>(
  transA: i32,
  transB: i32,
  m: i32,
  n: i32,
  k: i32,
  alpha: T,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  beta: T,
  c: usize,
  ldc: i32,
  batch: i32,
  strideA: i32,
  strideB: i32,
  strideC: i32,
  scratch: usize,
): void {
  for (let i = 0; i < batch; i++) {
    gemm<T>(
      transA,
      transB,
      m,
      n,
      k,
      alpha,
      at<T>(a, i * strideA),
      lda,
      at<T>(b, i * strideB),
      ldb,
      beta,
      at<T>(c, i * strideC),
      ldc,
      scratch,
    );
  }
}

export function gemmScratchF32(m: i32, n: i32, k: i32): i32 {
  return scratchBytes<f32>(m, n, k);
}

export function gemmScratchF64(m: i32, n: i32, k: i32): i32 {
  return scratchBytes<f64>(m, n, k);
}

export function gemmBatchedF32(
  transA: i32,
  transB: i32,
  m: i32,
  n: i32,
  k: i32,
  alpha: f32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  beta: f32,
  c: usize,
  ldc: i32,
  batch: i32,
  strideA: i32,
  strideB: i32,
  strideC: i32,
  scratch: usize,
): void {
  gemmBatched<f32>(
    transA,
    transB,
    m,
    n,
    k,
    alpha,
    a,
    lda,
    b,
    ldb,
    beta,
    c,
    ldc,
    batch,
    strideA,
    strideB,
    strideC,
    scratch,
  );
}

export function gemmBatchedF64(
  transA: i32,
  transB: i32,
  m: i32,
  n: i32,
  k: i32,
  alpha: f64,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  beta: f64,
  c: usize,
  ldc: i32,
  batch: i32,
  strideA: i32,
  strideB: i32,
  strideC: i32,
  scratch: usize,
): void {
  gemmBatched<f64>(
    transA,
    transB,
    m,
    n,
    k,
    alpha,
    a,
    lda,
    b,
    ldb,
    beta,
    c,
    ldc,
    batch,
    strideA,
    strideB,
    strideC,
    scratch,
  );
}
