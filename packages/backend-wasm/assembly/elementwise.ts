// Elementwise kernels on contiguous arrays, generic over f32/f64. Cheap ops run
// on v128 lanes; exp/log/tanh/sigmoid use the scalar Math/Mathf (musl ports),
// which agree with JS Math to within an ulp or so.
// Op codes must match src/opcodes.ts.

export const UNARY_NEG: i32 = 0;
export const UNARY_ABS: i32 = 1;
export const UNARY_EXP: i32 = 2;
export const UNARY_LOG: i32 = 3;
export const UNARY_SQRT: i32 = 4;
export const UNARY_TANH: i32 = 5;
export const UNARY_SIGMOID: i32 = 6;
export const UNARY_RELU: i32 = 7;
export const UNARY_SQUARE: i32 = 8;

export const BINARY_ADD: i32 = 0;
export const BINARY_SUB: i32 = 1;
export const BINARY_MUL: i32 = 2;
export const BINARY_DIV: i32 = 3;
export const BINARY_MAX: i32 = 4;
export const BINARY_MIN: i32 = 5;

function lanes<T>(): i32 {
  return 16 / (sizeof<T>() as i32);
}

function at<T>(base: usize, index: i32): usize {
  return base + <usize>index * sizeof<T>();
}

export function expT<T>(x: T): T {
  return sizeof<T>() == 4 ? <T>Mathf.exp(<f32>x) : <T>Math.exp(<f64>x);
}

export function tanhT<T>(x: T): T {
  return sizeof<T>() == 4 ? <T>Mathf.tanh(<f32>x) : <T>Math.tanh(<f64>x);
}

export function sigmoidT<T>(x: T): T {
  return (1 as T) / ((1 as T) + expT<T>(-x));
}

function scalarUnary<T>(op: i32, x: T): T {
  switch (op) {
    case UNARY_NEG:
      return -x;
    case UNARY_ABS:
      return sizeof<T>() == 4 ? <T>Mathf.abs(<f32>x) : <T>Math.abs(<f64>x);
    case UNARY_EXP:
      return expT<T>(x);
    case UNARY_LOG:
      return sizeof<T>() == 4 ? <T>Mathf.log(<f32>x) : <T>Math.log(<f64>x);
    case UNARY_SQRT:
      return sizeof<T>() == 4 ? <T>Mathf.sqrt(<f32>x) : <T>Math.sqrt(<f64>x);
    case UNARY_TANH:
      return tanhT<T>(x);
    case UNARY_SIGMOID:
      return sigmoidT<T>(x);
    case UNARY_RELU:
      return x > 0 ? x : x != x ? x : (0 as T); // NaN propagates, like Math.max(x, 0)
    default:
      return x * x;
  }
}

// v128 form of the cheap unary ops; returns false for ops that need scalar math.
function vectorUnary<T>(op: i32, x: usize, y: usize, n: i32): bool {
  const L = lanes<T>();
  const nv = n - (n % L);
  const zero = v128.splat<T>(0 as T);
  let i = 0;
  switch (op) {
    case UNARY_NEG:
      for (; i < nv; i += L) v128.store(at<T>(y, i), v128.neg<T>(v128.load(at<T>(x, i))));
      break;
    case UNARY_ABS:
      for (; i < nv; i += L) v128.store(at<T>(y, i), v128.abs<T>(v128.load(at<T>(x, i))));
      break;
    case UNARY_SQRT:
      for (; i < nv; i += L) v128.store(at<T>(y, i), v128.sqrt<T>(v128.load(at<T>(x, i))));
      break;
    case UNARY_RELU:
      for (; i < nv; i += L) v128.store(at<T>(y, i), v128.max<T>(v128.load(at<T>(x, i)), zero));
      break;
    case UNARY_SQUARE:
      for (; i < nv; i += L) {
        const v = v128.load(at<T>(x, i));
        v128.store(at<T>(y, i), v128.mul<T>(v, v));
      }
      break;
    default:
      return false;
  }
  for (; i < n; i++) store<T>(at<T>(y, i), scalarUnary<T>(op, load<T>(at<T>(x, i))));
  return true;
}

function unary<T>(op: i32, x: usize, y: usize, n: i32): void {
  if (vectorUnary<T>(op, x, y, n)) return;
  for (let i = 0; i < n; i++) store<T>(at<T>(y, i), scalarUnary<T>(op, load<T>(at<T>(x, i))));
}

function vectorBinary<T>(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case BINARY_ADD:
      return v128.add<T>(a, b);
    case BINARY_SUB:
      return v128.sub<T>(a, b);
    case BINARY_MUL:
      return v128.mul<T>(a, b);
    case BINARY_DIV:
      return v128.div<T>(a, b);
    case BINARY_MAX:
      return v128.max<T>(a, b);
    default:
      return v128.min<T>(a, b);
  }
}

// y[i] = a[i] op b[i] for n contiguous elements.
export function binarySpan<T>(op: i32, a: usize, b: usize, y: usize, n: i32): void {
  const L = lanes<T>();
  const nv = n - (n % L);
  let i = 0;
  for (; i < nv; i += L) {
    v128.store(at<T>(y, i), vectorBinary<T>(op, v128.load(at<T>(a, i)), v128.load(at<T>(b, i))));
  }
  // The tail uses a one-lane-padded vector op so scalar semantics match the SIMD lanes exactly.
  for (; i < n; i++) {
    const r = vectorBinary<T>(op, v128.splat<T>(load<T>(at<T>(a, i))), v128.splat<T>(load<T>(at<T>(b, i))));
    store<T>(at<T>(y, i), v128.extract_lane<T>(r, 0));
  }
}

export function unaryF32(op: i32, x: usize, y: usize, n: i32): void {
  unary<f32>(op, x, y, n);
}

export function unaryF64(op: i32, x: usize, y: usize, n: i32): void {
  unary<f64>(op, x, y, n);
}

export function binaryF32(op: i32, a: usize, b: usize, y: usize, n: i32): void {
  binarySpan<f32>(op, a, b, y, n);
}

export function binaryF64(op: i32, a: usize, b: usize, y: usize, n: i32): void {
  binarySpan<f64>(op, a, b, y, n);
}

/** y[r, c] = a[r, c] op b[c] for a [rows, cols] matrix and a [cols] row vector. */
function binaryRows<T>(op: i32, a: usize, b: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    binarySpan<T>(op, at<T>(a, r * cols), b, at<T>(y, r * cols), cols);
  }
}

export function binaryRowsF32(op: i32, a: usize, b: usize, y: usize, rows: i32, cols: i32): void {
  binaryRows<f32>(op, a, b, y, rows, cols);
}

export function binaryRowsF64(op: i32, a: usize, b: usize, y: usize, rows: i32, cols: i32): void {
  binaryRows<f64>(op, a, b, y, rows, cols);
}
