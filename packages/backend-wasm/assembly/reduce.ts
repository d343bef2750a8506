// Reductions over contiguous [rows, cols] data, generic over f32/f64.

function lanes<T>(): i32 {
  return 16 / (sizeof<T>() as i32);
}

function at<T>(base: usize, index: i32): usize {
  return base + <usize>index * sizeof<T>();
}

function hsum<T>(v: v128): T {
  if (sizeof<T>() == 4) {
    return <T>(
      (v128.extract_lane<f32>(v, 0) +
        v128.extract_lane<f32>(v, 1) +
        (v128.extract_lane<f32>(v, 2) + v128.extract_lane<f32>(v, 3)))
    );
  }
  return <T>(v128.extract_lane<f64>(v, 0) + v128.extract_lane<f64>(v, 1));
}

function hmax<T>(v: v128): T {
  if (sizeof<T>() == 4) {
    const lo = v128.max<f32>(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    return <T>v128.extract_lane<f32>(v128.max<f32>(lo, v128.shuffle<f32>(lo, lo, 1, 0, 3, 2)), 0);
  }
  return <T>v128.extract_lane<f64>(v128.max<f64>(v, v128.shuffle<f64>(v, v, 1, 0)), 0);
}

/** Sum of all n elements. f32 input is accumulated in f64 lanes, so long sums stay accurate. */
export function sumAllF32(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = s0;
  let i = 0;
  const nv = n & ~3;
  for (; i < nv; i += 4) {
    const v = v128.load(at<f32>(x, i));
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
  }
  let s = hsum<f64>(f64x2.add(s0, s1));
  for (; i < n; i++) s += <f64>load<f32>(at<f32>(x, i));
  return s;
}

export function sumAllF64(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = s0;
  let i = 0;
  const nv = n & ~3;
  for (; i < nv; i += 4) {
    s0 = f64x2.add(s0, v128.load(at<f64>(x, i)));
    s1 = f64x2.add(s1, v128.load(at<f64>(x, i), 16));
  }
  let s = hsum<f64>(f64x2.add(s0, s1));
  for (; i < n; i++) s += load<f64>(at<f64>(x, i));
  return s;
}

/** y[c] = Σ_r x[r, c] (column sums, e.g. bias gradients). */
function sumRows<T>(x: usize, y: usize, rows: i32, cols: i32): void {
  const L = lanes<T>();
  const cv = cols - (cols % L);
  memory.fill(y, 0, <usize>cols * sizeof<T>());
  for (let r = 0; r < rows; r++) {
    const xr = at<T>(x, r * cols);
    let c = 0;
    for (; c < cv; c += L) {
      v128.store(at<T>(y, c), v128.add<T>(v128.load(at<T>(y, c)), v128.load(at<T>(xr, c))));
    }
    for (; c < cols; c++) store<T>(at<T>(y, c), load<T>(at<T>(y, c)) + load<T>(at<T>(xr, c)));
  }
}

/** y[r] = Σ_c x[r, c]. */
function sumLast<T>(x: usize, y: usize, rows: i32, cols: i32): void {
  const L = lanes<T>();
  const cv = cols - (cols % (2 * L));
  for (let r = 0; r < rows; r++) {
    const xr = at<T>(x, r * cols);
    let a0 = v128.splat<T>(0 as T);
    let a1 = a0;
    let c = 0;
    for (; c < cv; c += 2 * L) {
      a0 = v128.add<T>(a0, v128.load(at<T>(xr, c)));
      a1 = v128.add<T>(a1, v128.load(at<T>(xr, c), 16));
    }
    let s = hsum<T>(v128.add<T>(a0, a1));
    for (; c < cols; c++) s += load<T>(at<T>(xr, c));
    store<T>(at<T>(y, r), s);
  }
}

/** y[r] = max_c x[r, c]; NaN propagates and an empty row gives −Infinity. */
function maxLast<T>(x: usize, y: usize, rows: i32, cols: i32): void {
  const L = lanes<T>();
  const cv = cols - (cols % L);
  const ninf = <T>-Infinity;
  for (let r = 0; r < rows; r++) {
    const xr = at<T>(x, r * cols);
    let acc = v128.splat<T>(ninf);
    let c = 0;
    for (; c < cv; c += L) acc = v128.max<T>(acc, v128.load(at<T>(xr, c)));
    let tail = v128.splat<T>(ninf);
    for (; c < cols; c++) tail = v128.max<T>(tail, v128.splat<T>(load<T>(at<T>(xr, c))));
    store<T>(at<T>(y, r), hmax<T>(v128.max<T>(acc, tail)));
  }
}

export function sumRowsF32(x: usize, y: usize, rows: i32, cols: i32): void {
  sumRows<f32>(x, y, rows, cols);
}

export function sumRowsF64(x: usize, y: usize, rows: i32, cols: i32): void {
  sumRows<f64>(x, y, rows, cols);
}

export function sumLastF32(x: usize, y: usize, rows: i32, cols: i32): void {
  sumLast<f32>(x, y, rows, cols);
}

export function sumLastF64(x: usize, y: usize, rows: i32, cols: i32): void {
  sumLast<f64>(x, y, rows, cols);
}

export function maxLastF32(x: usize, y: usize, rows: i32, cols: i32): void {
  maxLast<f32>(x, y, rows, cols);
}

export function maxLastF64(x: usize, y: usize, rows: i32, cols: i32): void {
  maxLast<f64>(x, y, rows, cols);
}
