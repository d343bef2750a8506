// Window kernels of @chainrule/layer-conv over contiguous NHWC data, generic over f32/f64: im2col, its
// adjoint col2im, and max pooling forward (gather at each window's argmax) and backward (scatter-add there).
// The window geometry arrives as 13 i32 at `geom`, in the order of src/conv.ts GEOMETRY_FIELDS.

const IN_H = 0;
const IN_W = 1;
const CH = 2;
const KH = 3;
const KW = 4;
const STRIDE_H = 5;
const STRIDE_W = 6;
const DIL_H = 7;
const DIL_W = 8;
const PAD_TOP = 9;
const PAD_LEFT = 10;
const OUT_H = 11;
const OUT_W = 12;

function gi(geom: usize, field: i32): i32 {
  return load<i32>(geom + ((<usize>field) << 2));
}

function at<T>(base: usize, index: i32): usize {
  return base + <usize>index * sizeof<T>();
}

// Runs shorter than this many bytes are moved element by element: V8's memory.copy / memory.fill are calls
// into a builtin, which cost more than a few loads and stores (the first convolution's C = 1 gives 3-element
// runs, whose im2col this made about 2× faster in bench/conv-layout.mjs).
const SHORT_RUN_BYTES: usize = 64;

/** Copies `count` elements (count·sizeof<T> bytes) — memory.copy is a bulk move in V8. */
function copyRun<T>(dst: usize, src: usize, count: i32): void {
  const bytes = <usize>count * sizeof<T>();
  if (bytes > SHORT_RUN_BYTES) {
    memory.copy(dst, src, bytes);
    return;
  }
  for (let i: usize = 0; i < bytes; i += sizeof<T>()) store<T>(dst + i, load<T>(src + i));
}

/** Zeroes `bytes` bytes (a whole number of elements). */
function zeroRun<T>(dst: usize, bytes: usize): void {
  if (bytes > SHORT_RUN_BYTES) {
    memory.fill(dst, 0, bytes);
    return;
  }
  for (let i: usize = 0; i < bytes; i += sizeof<T>()) store<T>(dst + i, 0 as T);
}

/** dst [n, outH, outW, kh·kw·C] from src [n, inH, inW, C]; padding reads as 0 (written here, not assumed). */
function im2col<T>(geom: usize, src: usize, dst: usize, n: i32): void {
  const inH = gi(geom, IN_H),
    inW = gi(geom, IN_W),
    C = gi(geom, CH);
  const kh = gi(geom, KH),
    kw = gi(geom, KW);
  const sh = gi(geom, STRIDE_H),
    sw = gi(geom, STRIDE_W),
    dh = gi(geom, DIL_H),
    dw = gi(geom, DIL_W);
  const pt = gi(geom, PAD_TOP),
    pl = gi(geom, PAD_LEFT),
    outH = gi(geom, OUT_H),
    outW = gi(geom, OUT_W);
  const rowStride = inW * C;
  const bytesPerTap = <usize>C * sizeof<T>();
  let d = dst;
  for (let b = 0; b < n; b++) {
    const base = b * inH * rowStride;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * sh - pt;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * sw - pl;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky * dh;
          if (iy < 0 || iy >= inH) {
            zeroRun<T>(d, bytesPerTap * <usize>kw);
            d += bytesPerTap * <usize>kw;
            continue;
          }
          const row = base + iy * rowStride;
          // With dilation 1 the kx taps that fall inside the row are one contiguous run of memory.
          if (dw == 1) {
            const lo = min(kw, max(0, -x0));
            const hi = max(lo, min(kw, inW - x0));
            if (lo > 0) zeroRun<T>(d, bytesPerTap * <usize>lo);
            if (hi > lo)
              copyRun<T>(d + bytesPerTap * <usize>lo, at<T>(src, row + (x0 + lo) * C), (hi - lo) * C);
            if (hi < kw) zeroRun<T>(d + bytesPerTap * <usize>hi, bytesPerTap * <usize>(kw - hi));
            d += bytesPerTap * <usize>kw;
            continue;
          }
          for (let kx = 0; kx < kw; kx++) {
            const ix = x0 + kx * dw;
            if (ix < 0 || ix >= inW) zeroRun<T>(d, bytesPerTap);
            else copyRun<T>(d, at<T>(src, row + ix * C), C);
            d += bytesPerTap;
          }
        }
      }
    }
  }
}

/** dst [n, inH, inW, C] = Σ of the window entries of src [n, outH, outW, kh·kw·C] read from each position. */
function col2im<T>(geom: usize, src: usize, dst: usize, n: i32): void {
  const inH = gi(geom, IN_H),
    inW = gi(geom, IN_W),
    C = gi(geom, CH);
  const kh = gi(geom, KH),
    kw = gi(geom, KW);
  const sh = gi(geom, STRIDE_H),
    sw = gi(geom, STRIDE_W),
    dh = gi(geom, DIL_H),
    dw = gi(geom, DIL_W);
  const pt = gi(geom, PAD_TOP),
    pl = gi(geom, PAD_LEFT),
    outH = gi(geom, OUT_H),
    outW = gi(geom, OUT_W);
  const rowStride = inW * C;
  memory.fill(dst, 0, <usize>(n * inH * rowStride) * sizeof<T>());
  let s = 0;
  for (let b = 0; b < n; b++) {
    const base = b * inH * rowStride;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * sh - pt;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * sw - pl;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky * dh;
          if (iy < 0 || iy >= inH) {
            s += kw * C;
            continue;
          }
          const row = base + iy * rowStride;
          for (let kx = 0; kx < kw; kx++) {
            const ix = x0 + kx * dw;
            if (ix >= 0 && ix < inW) addRun<T>(at<T>(dst, row + ix * C), at<T>(src, s), C);
            s += C;
          }
        }
      }
    }
  }
}

/** dst[0..count) += src[0..count), on v128 lanes. */
function addRun<T>(dst: usize, src: usize, count: i32): void {
  const lanes = 16 / (sizeof<T>() as i32);
  let c = 0;
  for (; c + lanes <= count; c += lanes) {
    const p = at<T>(dst, c);
    const q = at<T>(src, c);
    if (sizeof<T>() == 4) v128.store(p, f32x4.add(v128.load(p), v128.load(q)));
    else v128.store(p, f64x2.add(v128.load(p), v128.load(q)));
  }
  for (; c < count; c++) store<T>(at<T>(dst, c), load<T>(at<T>(dst, c)) + load<T>(at<T>(src, c)));
}

/**
 * For each window and channel, the element index into the NHWC selector of its maximum, written to
 * `idx` (i32): the first one in window order on ties, a NaN counts as the maximum (the first NaN wins),
 * padding is never read. `best` is scratch for C values. Returns 0, or 1 + the flat window index of the
 * first window that lies entirely in the padding (the caller reports it).
 */
function poolArgmax<T>(geom: usize, sel: usize, n: i32, idx: usize, best: usize): i32 {
  const inH = gi(geom, IN_H),
    inW = gi(geom, IN_W),
    C = gi(geom, CH);
  const kh = gi(geom, KH),
    kw = gi(geom, KW);
  const sh = gi(geom, STRIDE_H),
    sw = gi(geom, STRIDE_W),
    dh = gi(geom, DIL_H),
    dw = gi(geom, DIL_W);
  const pt = gi(geom, PAD_TOP),
    pl = gi(geom, PAD_LEFT),
    outH = gi(geom, OUT_H),
    outW = gi(geom, OUT_W);
  const rowStride = inW * C;
  let o = idx;
  for (let b = 0; b < n; b++) {
    const base = b * inH * rowStride;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * sh - pt;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * sw - pl;
        let first = true;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky * dh;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = x0 + kx * dw;
            if (ix < 0 || ix >= inW) continue;
            const tap = base + iy * rowStride + ix * C;
            // float32 with whole v128 channel groups: four channels per step, same rule lane by lane.
            if (sizeof<T>() == 4 && (C & 3) == 0) {
              argmaxLanes(sel, tap, C, best, o, first);
              first = false;
              continue;
            }
            if (first) {
              for (let c = 0; c < C; c++) {
                store<T>(at<T>(best, c), load<T>(at<T>(sel, tap + c)));
                store<i32>(o + ((<usize>c) << 2), tap + c);
              }
              first = false;
              continue;
            }
            for (let c = 0; c < C; c++) {
              const v = load<T>(at<T>(sel, tap + c));
              const cur = load<T>(at<T>(best, c));
              if (v > cur || (v != v && cur == cur)) {
                store<T>(at<T>(best, c), v);
                store<i32>(o + ((<usize>c) << 2), tap + c);
              }
            }
          }
        }
        if (first) return 1 + (b * outH + oy) * outW + ox;
        o += (<usize>C) << 2;
      }
    }
  }
  return 0;
}

/** The f32x4 step of poolArgmax for one tap: take v where v > best, or v is the first NaN. */
function argmaxLanes(sel: usize, tap: i32, C: i32, best: usize, o: usize, first: bool): void {
  const offsets = i32x4(0, 1, 2, 3);
  for (let c = 0; c < C; c += 4) {
    const v = v128.load(at<f32>(sel, tap + c));
    const here = i32x4.add(i32x4.splat(tap + c), offsets);
    const pb = at<f32>(best, c);
    const pi = o + ((<usize>c) << 2);
    if (first) {
      v128.store(pb, v);
      v128.store(pi, here);
      continue;
    }
    const cur = v128.load(pb);
    const take = v128.or(f32x4.gt(v, cur), v128.and(f32x4.ne(v, v), f32x4.eq(cur, cur)));
    v128.store(pb, v128.bitselect(v, cur, take));
    v128.store(pi, v128.bitselect(here, v128.load(pi), take));
  }
}

/** out[i] = values[argmax_i]; returns poolArgmax's status. `idx` is scratch for out's count of i32. */
function poolGather<T>(
  geom: usize,
  sel: usize,
  values: usize,
  out: usize,
  n: i32,
  idx: usize,
  best: usize,
): i32 {
  const status = poolArgmax<T>(geom, sel, n, idx, best);
  if (status != 0) return status;
  const count = n * gi(geom, OUT_H) * gi(geom, OUT_W) * gi(geom, CH);
  for (let i = 0; i < count; i++) {
    store<T>(at<T>(out, i), load<T>(at<T>(values, load<i32>(idx + ((<usize>i) << 2)))));
  }
  return 0;
}

/** out (the selector's shape) = 0, then out[argmax_i] += g[i]; returns poolArgmax's status. */
function poolScatter<T>(geom: usize, sel: usize, g: usize, out: usize, n: i32, idx: usize, best: usize): i32 {
  const status = poolArgmax<T>(geom, sel, n, idx, best);
  if (status != 0) return status;
  memory.fill(out, 0, <usize>(n * gi(geom, IN_H) * gi(geom, IN_W) * gi(geom, CH)) * sizeof<T>());
  const count = n * gi(geom, OUT_H) * gi(geom, OUT_W) * gi(geom, CH);
  for (let i = 0; i < count; i++) {
    const p = at<T>(out, load<i32>(idx + ((<usize>i) << 2)));
    store<T>(p, load<T>(p) + load<T>(at<T>(g, i)));
  }
  return 0;
}

export function im2colF32(geom: usize, src: usize, dst: usize, n: i32): void {
  im2col<f32>(geom, src, dst, n);
}
export function im2colF64(geom: usize, src: usize, dst: usize, n: i32): void {
  im2col<f64>(geom, src, dst, n);
}
export function col2imF32(geom: usize, src: usize, dst: usize, n: i32): void {
  col2im<f32>(geom, src, dst, n);
}
export function col2imF64(geom: usize, src: usize, dst: usize, n: i32): void {
  col2im<f64>(geom, src, dst, n);
}
export function poolGatherF32(
  geom: usize,
  sel: usize,
  v: usize,
  out: usize,
  n: i32,
  idx: usize,
  best: usize,
): i32 {
  return poolGather<f32>(geom, sel, v, out, n, idx, best);
}
export function poolGatherF64(
  geom: usize,
  sel: usize,
  v: usize,
  out: usize,
  n: i32,
  idx: usize,
  best: usize,
): i32 {
  return poolGather<f64>(geom, sel, v, out, n, idx, best);
}
export function poolScatterF32(
  geom: usize,
  sel: usize,
  g: usize,
  out: usize,
  n: i32,
  idx: usize,
  best: usize,
): i32 {
  return poolScatter<f32>(geom, sel, g, out, n, idx, best);
}
export function poolScatterF64(
  geom: usize,
  sel: usize,
  g: usize,
  out: usize,
  n: i32,
  idx: usize,
  best: usize,
): i32 {
  return poolScatter<f64>(geom, sel, g, out, n, idx, best);
}
