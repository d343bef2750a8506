// Elementwise kernels on contiguous arrays, generic over f32/f64, for every op of @chainrule/ndarray's
// unaryTable and binaryTable (codes and scalar dispatch generated into ./generated/ops). The exactly
// rounded ops also run on v128 lanes, with the scalar ops' semantics (NaN, ±0) lane for lane.
import {
  BINARY_ADD,
  BINARY_DIV,
  BINARY_MAXIMUM,
  BINARY_MINIMUM,
  BINARY_MUL,
  BINARY_SUB,
  UNARY_ABS,
  UNARY_CEIL,
  UNARY_FLOOR,
  UNARY_NEG,
  UNARY_RELU,
  UNARY_ROUND,
  UNARY_SQRT,
  scalarBinary,
  scalarUnary,
} from "./generated/ops";
import { unaryExp, unarySigmoid, unaryTanh } from "./ops";

function lanes<T>(): i32 {
  return 16 / (sizeof<T>() as i32);
}

function at<T>(base: usize, index: i32): usize {
  return base + <usize>index * sizeof<T>();
}

export function expT<T>(x: T): T {
  return unaryExp<T>(x);
}

export function tanhT<T>(x: T): T {
  return unaryTanh<T>(x);
}

export function sigmoidT<T>(x: T): T {
  return unarySigmoid<T>(x);
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
    case UNARY_FLOOR:
      for (; i < nv; i += L) v128.store(at<T>(y, i), v128.floor<T>(v128.load(at<T>(x, i))));
      break;
    case UNARY_CEIL:
      for (; i < nv; i += L) v128.store(at<T>(y, i), v128.ceil<T>(v128.load(at<T>(x, i))));
      break;
    case UNARY_ROUND:
      for (; i < nv; i += L) v128.store(at<T>(y, i), v128.nearest<T>(v128.load(at<T>(x, i))));
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

/** a > b || a != a ? a : b lane by lane (NaN wins, equal values give b), as the scalar op. */
function pickMax<T>(a: v128, b: v128): v128 {
  return v128.bitselect(a, b, v128.or(v128.gt<T>(a, b), v128.ne<T>(a, a)));
}

function pickMin<T>(a: v128, b: v128): v128 {
  return v128.bitselect(a, b, v128.or(v128.lt<T>(a, b), v128.ne<T>(a, a)));
}

/** Whether `op` has a lane-exact v128 form below. */
function hasVectorBinary(op: i32): bool {
  return (
    op == BINARY_ADD ||
    op == BINARY_SUB ||
    op == BINARY_MUL ||
    op == BINARY_DIV ||
    op == BINARY_MAXIMUM ||
    op == BINARY_MINIMUM
  );
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
    case BINARY_MAXIMUM:
      return pickMax<T>(a, b);
    default:
      return pickMin<T>(a, b);
  }
}

// y[i] = a[i] op b[i] for n contiguous elements.
export function binarySpan<T>(op: i32, a: usize, b: usize, y: usize, n: i32): void {
  let i = 0;
  if (hasVectorBinary(op)) {
    const L = lanes<T>();
    const nv = n - (n % L);
    for (; i < nv; i += L) {
      v128.store(at<T>(y, i), vectorBinary<T>(op, v128.load(at<T>(a, i)), v128.load(at<T>(b, i))));
    }
  }
  for (; i < n; i++) store<T>(at<T>(y, i), scalarBinary<T>(op, load<T>(at<T>(a, i)), load<T>(at<T>(b, i))));
}

/** y[i] = a[i] op s (or s op a[i] when `scalarFirst`) for one broadcast value s. */
function binaryScalar<T>(op: i32, a: usize, s: T, y: usize, n: i32, scalarFirst: bool): void {
  let i = 0;
  if (hasVectorBinary(op)) {
    const L = lanes<T>();
    const nv = n - (n % L);
    const sv = v128.splat<T>(s);
    if (scalarFirst)
      for (; i < nv; i += L) v128.store(at<T>(y, i), vectorBinary<T>(op, sv, v128.load(at<T>(a, i))));
    else for (; i < nv; i += L) v128.store(at<T>(y, i), vectorBinary<T>(op, v128.load(at<T>(a, i)), sv));
  }
  for (; i < n; i++) {
    const v = load<T>(at<T>(a, i));
    store<T>(at<T>(y, i), scalarFirst ? scalarBinary<T>(op, s, v) : scalarBinary<T>(op, v, s));
  }
}

export function binaryScalarF32(op: i32, a: usize, s: f32, y: usize, n: i32, scalarFirst: bool): void {
  binaryScalar<f32>(op, a, s, y, n, scalarFirst);
}

export function binaryScalarF64(op: i32, a: usize, s: f64, y: usize, n: i32, scalarFirst: bool): void {
  binaryScalar<f64>(op, a, s, y, n, scalarFirst);
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
