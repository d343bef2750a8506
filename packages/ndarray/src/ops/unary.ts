import { type DType, floatOf, isFloat } from "../dtype";
import { run } from "../engine";
import { forEachRow } from "../iter";
import type { NDArray } from "../ndarray";
import type { Kernel, PrimitiveTable, UnaryOp, VJP } from "../primitive";
import { HELPERS, unaryLoop, type UnaryLoop } from "./codegen";
import { add, mul, div, sub, gt } from "./binary";
import { cast } from "./cast";
import { zerosLike } from "../creation";

/** Everything about one unary op; every kernel, fused loop, method and gradient test derives from it. */
export interface UnaryRow {
  /** The value for one element (the CSP-safe loops and the graph's interpreter). */
  readonly scalar: (v: number) => number;
  /** The same as a JS expression of the operand `a`; may call `H.sigmoid`, `H.round` (see codegen.ts). */
  readonly js: (a: string) => string;
  /** The result is a float whatever the input (ints are promoted to float32 first). */
  readonly floatOnly: boolean;
  /** The gradient rule, in terms of the input x and the output y. */
  readonly vjp: VJP<{}>;
  /** Where finite differences check the rule (float64), away from kinks; "zero" for a zero gradient. */
  readonly gradDomain: readonly [number, number] | "away-from-zero" | "zero";
}

const zero = (g: NDArray) => [zerosLike(g)];
const math = (f: string) => (a: string) => `Math.${f}(${a})`;

// prettier-ignore
export const unaryTable: { readonly [K in UnaryOp]: UnaryRow } = {
  neg: { scalar: (v) => -v, js: (a) => `-${a}`, floatOnly: false, vjp: (g) => [neg(g)], gradDomain: [-2, 2] },
  abs: { scalar: Math.abs, js: math("abs"), floatOnly: false, vjp: (g, [x]) => [mul(g, sign(x!))], gradDomain: "away-from-zero" },
  sign: { scalar: Math.sign, js: math("sign"), floatOnly: false, vjp: zero, gradDomain: "zero" },
  exp: { scalar: Math.exp, js: math("exp"), floatOnly: true, vjp: (g, _x, y) => [mul(g, y)], gradDomain: [-2, 2] },
  log: { scalar: Math.log, js: math("log"), floatOnly: true, vjp: (g, [x]) => [div(g, x!)], gradDomain: [0.2, 3] },
  log1p: { scalar: Math.log1p, js: math("log1p"), floatOnly: true, vjp: (g, [x]) => [div(g, add(x!, 1))], gradDomain: [-0.5, 3] },
  expm1: { scalar: Math.expm1, js: math("expm1"), floatOnly: true, vjp: (g, _x, y) => [mul(g, add(y, 1))], gradDomain: [-2, 2] },
  sqrt: { scalar: Math.sqrt, js: math("sqrt"), floatOnly: true, vjp: (g, _x, y) => [div(g, mul(y, 2))], gradDomain: [0.2, 3] },
  sin: { scalar: Math.sin, js: math("sin"), floatOnly: true, vjp: (g, [x]) => [mul(g, cos(x!))], gradDomain: [-2, 2] },
  cos: { scalar: Math.cos, js: math("cos"), floatOnly: true, vjp: (g, [x]) => [neg(mul(g, sin(x!)))], gradDomain: [-2, 2] },
  tanh: { scalar: Math.tanh, js: math("tanh"), floatOnly: true, vjp: (g, _x, y) => [mul(g, sub(1, mul(y, y)))], gradDomain: [-2, 2] },
  sigmoid: { scalar: HELPERS.sigmoid, js: (a) => `H.sigmoid(${a})`, floatOnly: true, vjp: (g, _x, y) => [mul(g, mul(y, sub(1, y)))], gradDomain: [-4, 4] },
  // y > 0 exactly where x > 0; reading the output lets a traced graph fuse the op that feeds relu. NaN passes through.
  relu: { scalar: (v) => (v <= 0 ? 0 : v), js: (a) => `(${a} <= 0 ? 0 : ${a})`, floatOnly: false, vjp: (g, _x, y) => [mul(g, cast(gt(y, 0), g.dtype))], gradDomain: "away-from-zero" },
  floor: { scalar: Math.floor, js: math("floor"), floatOnly: false, vjp: zero, gradDomain: "zero" },
  ceil: { scalar: Math.ceil, js: math("ceil"), floatOnly: false, vjp: zero, gradDomain: "zero" },
  round: { scalar: HELPERS.round, js: (a) => `H.round(${a})`, floatOnly: false, vjp: zero, gradDomain: "zero" },
};

const UNARY_OPS = Object.keys(unaryTable) as UnaryOp[];

function unaryKernel(loop: UnaryLoop): Kernel<UnaryOp> {
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
  UNARY_OPS.map((k) => [k, unaryKernel(unaryLoop(unaryTable[k].js, unaryTable[k].scalar))]),
) as { [K in UnaryOp]: Kernel<K> };

export const unaryPrims = Object.fromEntries(
  UNARY_OPS.map((k) => [k, { name: k, vjp: unaryTable[k].vjp }]),
) as unknown as PrimitiveTable<UnaryOp>;

function unary(op: UnaryOp, x: NDArray): NDArray {
  let dtype: DType = x.dtype;
  if (unaryTable[op].floatOnly && !isFloat(dtype)) {
    dtype = floatOf(dtype);
    x = cast(x, dtype);
  } else if (dtype === "bool" && op !== "abs") {
    throw new TypeError(`${op}: not defined for bool arrays; cast to a number dtype first`);
  }
  return run(unaryPrims[op], [x], {}, x.shape, dtype);
}

/** One function per unary op (`np.exp(x)`), and the methods (`x.exp()`) derive from the same object. */
// Each function carries its op's name (`np.relu.name === "relu"`): layers print activations by it.
const named = (k: UnaryOp) => Object.defineProperty((x: NDArray) => unary(k, x), "name", { value: k });
export const unaryOps = Object.fromEntries(UNARY_OPS.map((k) => [k, named(k)])) as {
  readonly [K in UnaryOp]: (x: NDArray) => NDArray;
};

export const {
  neg,
  abs,
  sign,
  exp,
  log,
  log1p,
  expm1,
  sqrt,
  sin,
  cos,
  tanh,
  sigmoid,
  relu,
  floor,
  ceil,
  round,
} = unaryOps;
