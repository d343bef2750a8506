// im2col for channel-major (NCHW) data, kept only so that bench/conv-layout.mjs can time the NCHW layout
// against the NHWC one layer-conv uses (the layout choice is measured, not guessed). Same geometry struct
// as assembly/conv.ts; dilation 1. dst [n, C·kh·kw, outH·outW] from src [n, C, inH, inW]: each row of
// cols is one tap (c, ky, kx) over every output pixel, so with stride 1 it is outH runs of outW elements.
function gi(geom: usize, field: i32): i32 {
  return load<i32>(geom + ((<usize>field) << 2));
}

function im2colNchw<T>(geom: usize, src: usize, dst: usize, n: i32): void {
  const inH = gi(geom, 0),
    inW = gi(geom, 1),
    C = gi(geom, 2),
    kh = gi(geom, 3),
    kw = gi(geom, 4),
    sh = gi(geom, 5),
    sw = gi(geom, 6);
  const pt = gi(geom, 9),
    pl = gi(geom, 10),
    outH = gi(geom, 11),
    outW = gi(geom, 12);
  const SZ = <usize>sizeof<T>();
  let d = dst;
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < C; c++) {
      const plane = src + <usize>((b * C + c) * inH * inW) * SZ;
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * sh - pt + ky;
            if (iy < 0 || iy >= inH) {
              memory.fill(d, 0, <usize>outW * SZ);
              d += <usize>outW * SZ;
              continue;
            }
            const row = plane + <usize>(iy * inW) * SZ;
            if (sw == 1) {
              // Output columns whose input column ox - pl + kx lies inside the row: one contiguous run.
              const lo = min(outW, max(0, pl - kx));
              const hi = max(lo, min(outW, inW + pl - kx));
              if (lo > 0) memory.fill(d, 0, <usize>lo * SZ);
              if (hi > lo)
                memory.copy(d + <usize>lo * SZ, row + <usize>(lo - pl + kx) * SZ, <usize>(hi - lo) * SZ);
              if (hi < outW) memory.fill(d + <usize>hi * SZ, 0, <usize>(outW - hi) * SZ);
            } else {
              for (let ox = 0; ox < outW; ox++) {
                const ix = ox * sw - pl + kx;
                store<T>(d + <usize>ox * SZ, ix < 0 || ix >= inW ? (0 as T) : load<T>(row + <usize>ix * SZ));
              }
            }
            d += <usize>outW * SZ;
          }
        }
      }
    }
  }
}

export function im2colNchwF32(geom: usize, src: usize, dst: usize, n: i32): void {
  im2colNchw<f32>(geom, src, dst, n);
}
