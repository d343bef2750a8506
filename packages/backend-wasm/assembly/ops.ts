// One function per op of @chainrule/ndarray's unaryTable and binaryTable, generic over f32/f64; the
// generated dispatch (assembly/generated/ops.ts) calls them by name, so a missing op fails the compile.
// Their semantics are the reference kernels'. The exactly rounded ones (arithmetic, sqrt, rounding, sign,
// min/max) match them bit for bit; the transcendental ones use AssemblyScript's Math/Mathf (musl ports),
// within an ulp or so of V8's Math (src/elementwise-ops.ts keeps those on the reference kernels).

function isF32<T>(): bool {
  return sizeof<T>() == 4;
}

export function unaryNeg<T>(x: T): T {
  return -x;
}
export function unaryAbs<T>(x: T): T {
  return isF32<T>() ? <T>Mathf.abs(<f32>x) : <T>Math.abs(<f64>x);
}
/** Math.sign: ±0 and NaN map to themselves. */
export function unarySign<T>(x: T): T {
  return x > 0 ? (1 as T) : x < 0 ? (-1 as T) : x;
}
export function unaryExp<T>(x: T): T {
  return isF32<T>() ? <T>Mathf.exp(<f32>x) : <T>Math.exp(<f64>x);
}
export function unaryLog<T>(x: T): T {
  return isF32<T>() ? <T>Mathf.log(<f32>x) : <T>Math.log(<f64>x);
}
export function unaryLog1p<T>(x: T): T {
  return isF32<T>() ? <T>Mathf.log1p(<f32>x) : <T>Math.log1p(<f64>x);
}
export function unaryExpm1<T>(x: T): T {
  return isF32<T>() ? <T>Mathf.expm1(<f32>x) : <T>Math.expm1(<f64>x);
}
export function unarySqrt<T>(x: T): T {
  return isF32<T>() ? <T>Mathf.sqrt(<f32>x) : <T>Math.sqrt(<f64>x);
}
export function unarySin<T>(x: T): T {
  return isF32<T>() ? <T>Mathf.sin(<f32>x) : <T>Math.sin(<f64>x);
}
export function unaryCos<T>(x: T): T {
  return isF32<T>() ? <T>Mathf.cos(<f32>x) : <T>Math.cos(<f64>x);
}
export function unaryTanh<T>(x: T): T {
  return isF32<T>() ? <T>Mathf.tanh(<f32>x) : <T>Math.tanh(<f64>x);
}
export function unarySigmoid<T>(x: T): T {
  return (1 as T) / ((1 as T) + unaryExp<T>(-x));
}
/** x <= 0 ? 0 : x, so −0 gives +0 and NaN stays NaN. */
export function unaryRelu<T>(x: T): T {
  return x <= 0 ? (0 as T) : x;
}
export function unaryFloor<T>(x: T): T {
  return isF32<T>() ? <T>Mathf.floor(<f32>x) : <T>Math.floor(<f64>x);
}
export function unaryCeil<T>(x: T): T {
  return isF32<T>() ? <T>Mathf.ceil(<f32>x) : <T>Math.ceil(<f64>x);
}
/** Half to even, as ndarray's round (wasm's `nearest`). */
export function unaryRound<T>(x: T): T {
  return isF32<T>() ? <T>f32.nearest(<f32>x) : <T>f64.nearest(<f64>x);
}

export function binaryAdd<T>(a: T, b: T): T {
  return a + b;
}
export function binarySub<T>(a: T, b: T): T {
  return a - b;
}
export function binaryMul<T>(a: T, b: T): T {
  return a * b;
}
export function binaryDiv<T>(a: T, b: T): T {
  return a / b;
}
export function binaryPow<T>(a: T, b: T): T {
  return isF32<T>() ? <T>Mathf.pow(<f32>a, <f32>b) : <T>Math.pow(<f64>a, <f64>b);
}
/** NaN wins, and on equal values (±0) the second operand, like the reference. */
export function binaryMaximum<T>(a: T, b: T): T {
  return a > b || a != a ? a : b;
}
export function binaryMinimum<T>(a: T, b: T): T {
  return a < b || a != a ? a : b;
}
export function binaryEq<T>(a: T, b: T): T {
  return a == b ? (1 as T) : (0 as T);
}
export function binaryNe<T>(a: T, b: T): T {
  return a != b ? (1 as T) : (0 as T);
}
export function binaryLt<T>(a: T, b: T): T {
  return a < b ? (1 as T) : (0 as T);
}
export function binaryLe<T>(a: T, b: T): T {
  return a <= b ? (1 as T) : (0 as T);
}
export function binaryGt<T>(a: T, b: T): T {
  return a > b ? (1 as T) : (0 as T);
}
export function binaryGe<T>(a: T, b: T): T {
  return a >= b ? (1 as T) : (0 as T);
}
