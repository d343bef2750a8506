import { type DType, floatOf, isFloat } from "../dtype";
import { run } from "../engine";
import { forEachRow } from "../iter";
import type { NDArray } from "../ndarray";
import type { Kernel, PrimitiveTable, UnaryOp } from "../primitive";
import { add, mul, div, sub, gt } from "./binary";
import { cast } from "./cast";
import { zerosLike } from "../creation";

type TA = NDArray["buffer"];
/** out[oi+j] = f(x[xi + j*xs]) for j < n. One literal per op keeps each loop monomorphic in V8. */
type Loop = (o: TA, oi: number, x: TA, xi: number, xs: number, n: number) => void;

// NumPy rounds halves to even.
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function sigmoid1(v: number): number {
  // Stable on both tails: never exp of a large positive number.
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

// prettier-ignore
const LOOPS: { [K in UnaryOp]: Loop } = {
  neg: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = -x[xi]!; },
  abs: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = Math.abs(x[xi]!); },
  sign: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = Math.sign(x[xi]!); },
  exp: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = Math.exp(x[xi]!); },
  log: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = Math.log(x[xi]!); },
  log1p: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = Math.log1p(x[xi]!); },
  expm1: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = Math.expm1(x[xi]!); },
  sqrt: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = Math.sqrt(x[xi]!); },
  sin: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = Math.sin(x[xi]!); },
  cos: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = Math.cos(x[xi]!); },
  tanh: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = Math.tanh(x[xi]!); },
  sigmoid: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = sigmoid1(x[xi]!); },
  relu: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) { const v = x[xi]!; o[oi + j] = v <= 0 ? 0 : v; } }, // NaN passes through
  floor: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = Math.floor(x[xi]!); },
  ceil: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = Math.ceil(x[xi]!); },
  round: (o, oi, x, xi, xs, n) => { for (let j = 0; j < n; j++, xi += xs) o[oi + j] = roundHalfEven(x[xi]!); },
};

function unaryKernel(loop: Loop): Kernel<UnaryOp> {
  return ([x], _p, out) => {
    const xv = x!;
    if (xv.isContiguous) return loop(out.buffer, 0, xv.buffer, xv.offset, 1, out.size);
    let oi = 0;
    forEachRow(xv.shape, [xv.strides], [xv.offset], (offs, n, inner) => {
      loop(out.buffer, oi, xv.buffer, offs[0]!, inner[0]!, n);
      oi += n;
    });
  };
}

export const unaryKernels = Object.fromEntries(
  Object.entries(LOOPS).map(([k, loop]) => [k, unaryKernel(loop)]),
) as { [K in UnaryOp]: Kernel<K> };

const zero = (g: NDArray) => [zerosLike(g)];

/** The gradient rule of each unary primitive, in terms of its input x and output y. */
export const unaryPrims: PrimitiveTable<UnaryOp> = {
  neg: { name: "neg", vjp: (g) => [neg(g)] },
  abs: { name: "abs", vjp: (g, [x]) => [mul(g, sign(x!))] },
  sign: { name: "sign", vjp: zero },
  exp: { name: "exp", vjp: (g, _x, y) => [mul(g, y)] },
  log: { name: "log", vjp: (g, [x]) => [div(g, x!)] },
  log1p: { name: "log1p", vjp: (g, [x]) => [div(g, add(x!, 1))] },
  expm1: { name: "expm1", vjp: (g, _x, y) => [mul(g, add(y, 1))] },
  sqrt: { name: "sqrt", vjp: (g, _x, y) => [div(g, mul(y, 2))] },
  sin: { name: "sin", vjp: (g, [x]) => [mul(g, cos(x!))] },
  cos: { name: "cos", vjp: (g, [x]) => [neg(mul(g, sin(x!)))] },
  tanh: { name: "tanh", vjp: (g, _x, y) => [mul(g, sub(1, mul(y, y)))] },
  sigmoid: { name: "sigmoid", vjp: (g, _x, y) => [mul(g, mul(y, sub(1, y)))] },
  // y > 0 exactly where x > 0; reading the output lets a traced graph fuse the op that feeds relu.
  relu: { name: "relu", vjp: (g, _x, y) => [mul(g, cast(gt(y, 0), g.dtype))] },
  floor: { name: "floor", vjp: zero },
  ceil: { name: "ceil", vjp: zero },
  round: { name: "round", vjp: zero },
};

// Ops whose result is a float whatever the input (ints are promoted to float32 first).
const FLOAT_ONLY = new Set<UnaryOp>([
  "exp",
  "log",
  "log1p",
  "expm1",
  "sqrt",
  "sin",
  "cos",
  "tanh",
  "sigmoid",
]);

function unary(op: UnaryOp, x: NDArray): NDArray {
  let dtype: DType = x.dtype;
  if (FLOAT_ONLY.has(op) && !isFloat(dtype)) {
    dtype = floatOf(dtype);
    x = cast(x, dtype);
  } else if (dtype === "bool" && op !== "abs") {
    throw new TypeError(`${op}: not defined for bool arrays; cast to a number dtype first`);
  }
  return run(unaryPrims[op], [x], {}, x.shape, dtype);
}

export const neg = (x: NDArray) => unary("neg", x);
export const abs = (x: NDArray) => unary("abs", x);
export const sign = (x: NDArray) => unary("sign", x);
export const exp = (x: NDArray) => unary("exp", x);
export const log = (x: NDArray) => unary("log", x);
export const log1p = (x: NDArray) => unary("log1p", x);
export const expm1 = (x: NDArray) => unary("expm1", x);
export const sqrt = (x: NDArray) => unary("sqrt", x);
export const sin = (x: NDArray) => unary("sin", x);
export const cos = (x: NDArray) => unary("cos", x);
export const tanh = (x: NDArray) => unary("tanh", x);
export const sigmoid = (x: NDArray) => unary("sigmoid", x);
export const relu = (x: NDArray) => unary("relu", x);
export const floor = (x: NDArray) => unary("floor", x);
export const ceil = (x: NDArray) => unary("ceil", x);
export const round = (x: NDArray) => unary("round", x);
