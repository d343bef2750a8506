// Fused training kernels: bias + activation, Adam, axpy. Generic over f32/f64.
import { sigmoidT, tanhT } from "./elementwise";

export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_SIGMOID: i32 = 2;
export const ACT_TANH: i32 = 3;

function lanes<T>(): i32 {
  return 16 / (sizeof<T>() as i32);
}

function at<T>(base: usize, index: i32): usize {
  return base + <usize>index * sizeof<T>();
}

function activate<T>(act: i32, v: T): T {
  if (act == ACT_RELU) return v > 0 ? v : v != v ? v : (0 as T);
  if (act == ACT_SIGMOID) return sigmoidT<T>(v);
  if (act == ACT_TANH) return tanhT<T>(v);
  return v;
}

/** y[r, c] = act(x[r, c] + bias[c]). */
function biasAct<T>(x: usize, bias: usize, y: usize, rows: i32, cols: i32, act: i32): void {
  const L = lanes<T>();
  const cv = cols - (cols % L);
  const zero = v128.splat<T>(0 as T);
  for (let r = 0; r < rows; r++) {
    const xr = at<T>(x, r * cols);
    const yr = at<T>(y, r * cols);
    let c = 0;
    if (act == ACT_NONE || act == ACT_RELU) {
      // Only these two have exact v128 forms; the rest go through scalar Math.
      for (; c < cv; c += L) {
        let v = v128.add<T>(v128.load(at<T>(xr, c)), v128.load(at<T>(bias, c)));
        if (act == ACT_RELU) v = v128.max<T>(v, zero);
        v128.store(at<T>(yr, c), v);
      }
    }
    for (; c < cols; c++) {
      store<T>(at<T>(yr, c), activate<T>(act, load<T>(at<T>(xr, c)) + load<T>(at<T>(bias, c))));
    }
  }
}

/**
 * Adam (Kingma & Ba, Algorithm 1), in place:
 *   m = b1·m + (1−b1)·g,  v = b2·v + (1−b2)·g²,
 *   p −= lr · (m·c1) / (sqrt(v·c2) + eps)   with c1 = 1/(1−b1^t), c2 = 1/(1−b2^t).
 * d1 = 1−b1 and d2 = 1−b2 come from the caller in float64: in f32, 1 − 0.999f is off by 1e-5.
 */
function adam<T>(
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  lr: T,
  b1: T,
  b2: T,
  d1: T,
  d2: T,
  eps: T,
  c1: T,
  c2: T,
): void {
  const L = lanes<T>();
  const nv = n - (n % L);
  const vb1 = v128.splat<T>(b1);
  const vb2 = v128.splat<T>(b2);
  const v1b1 = v128.splat<T>(d1);
  const v1b2 = v128.splat<T>(d2);
  const vlr = v128.splat<T>(lr);
  const veps = v128.splat<T>(eps);
  const vc1 = v128.splat<T>(c1);
  const vc2 = v128.splat<T>(c2);
  let i = 0;
  for (; i < nv; i += L) {
    const gi = v128.load(at<T>(g, i));
    const mi = v128.add<T>(v128.mul<T>(vb1, v128.load(at<T>(m, i))), v128.mul<T>(v1b1, gi));
    const vi = v128.add<T>(v128.mul<T>(vb2, v128.load(at<T>(v, i))), v128.mul<T>(v1b2, v128.mul<T>(gi, gi)));
    const mHat = v128.mul<T>(mi, vc1);
    const denom = v128.add<T>(v128.sqrt<T>(v128.mul<T>(vi, vc2)), veps);
    const step = v128.div<T>(v128.mul<T>(vlr, mHat), denom);
    v128.store(at<T>(m, i), mi);
    v128.store(at<T>(v, i), vi);
    v128.store(at<T>(p, i), v128.sub<T>(v128.load(at<T>(p, i)), step));
  }
  for (; i < n; i++) {
    const gi = load<T>(at<T>(g, i));
    const mi = b1 * load<T>(at<T>(m, i)) + d1 * gi;
    const vi = b2 * load<T>(at<T>(v, i)) + d2 * (gi * gi);
    const root = sizeof<T>() == 4 ? <T>Mathf.sqrt(<f32>(vi * c2)) : <T>Math.sqrt(<f64>(vi * c2));
    store<T>(at<T>(m, i), mi);
    store<T>(at<T>(v, i), vi);
    store<T>(at<T>(p, i), load<T>(at<T>(p, i)) - (lr * (mi * c1)) / (root + eps));
  }
}

/** y += alpha·x (the SGD step is axpy with alpha = −lr). */
function axpy<T>(n: i32, alpha: T, x: usize, y: usize): void {
  const L = lanes<T>();
  const nv = n - (n % L);
  const va = v128.splat<T>(alpha);
  let i = 0;
  for (; i < nv; i += L) {
    v128.store(at<T>(y, i), v128.add<T>(v128.load(at<T>(y, i)), v128.mul<T>(va, v128.load(at<T>(x, i)))));
  }
  for (; i < n; i++) store<T>(at<T>(y, i), load<T>(at<T>(y, i)) + alpha * load<T>(at<T>(x, i)));
}

export function biasActF32(x: usize, bias: usize, y: usize, rows: i32, cols: i32, act: i32): void {
  biasAct<f32>(x, bias, y, rows, cols, act);
}

export function biasActF64(x: usize, bias: usize, y: usize, rows: i32, cols: i32, act: i32): void {
  biasAct<f64>(x, bias, y, rows, cols, act);
}

export function adamF32(
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  lr: f32,
  b1: f32,
  b2: f32,
  d1: f32,
  d2: f32,
  eps: f32,
  c1: f32,
  c2: f32,
): void {
  adam<f32>(p, g, m, v, n, lr, b1, b2, d1, d2, eps, c1, c2);
}

export function adamF64(
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  lr: f64,
  b1: f64,
  b2: f64,
  d1: f64,
  d2: f64,
  eps: f64,
  c1: f64,
  c2: f64,
): void {
  adam<f64>(p, g, m, v, n, lr, b1, b2, d1, d2, eps, c1, c2);
}

export function axpyF32(n: i32, alpha: f32, x: usize, y: usize): void {
  axpy<f32>(n, alpha, x, y);
}

export function axpyF64(n: i32, alpha: f64, x: usize, y: usize): void {
  axpy<f64>(n, alpha, x, y);
}
