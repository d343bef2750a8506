import { type DType, floatOf, isFloat, promote } from "../dtype";
import { run } from "../engine";
import { forEachRow } from "../iter";
import { NDArray } from "../ndarray";
import type { ArithOp, BinaryOp, CompareOp, Kernel, PrimitiveTable } from "../primitive";
import { broadcastShapes, shapesEqual } from "../shape";
import { cast } from "./cast";
import { log, neg } from "./unary";
import { type Input, operand } from "./util";
import { broadcastView } from "./views";
import { binaryLoop, type BinaryLoop } from "./codegen";
import { where } from "./where";

/** Everything about one binary op's elements; its kernel, fused loops and methods derive from it. */
export interface BinaryRow {
  /** The value for one pair of elements (the CSP-safe loops and the graph's interpreter). */
  readonly scalar: (a: number, b: number) => number;
  /** The same as a JS expression of the operands `a` and `b`. */
  readonly js: (a: string, b: string) => string;
}

const infix = (op: string) => (a: string, b: string) => `${a} ${op} ${b}`;
const test = (op: string) => (a: string, b: string) => `(${a} ${op} ${b} ? 1 : 0)`;

// prettier-ignore
export const binaryTable: { readonly [K in BinaryOp]: BinaryRow } = {
  add: { scalar: (a, b) => a + b, js: infix("+") },
  sub: { scalar: (a, b) => a - b, js: infix("-") },
  mul: { scalar: (a, b) => a * b, js: infix("*") },
  div: { scalar: (a, b) => a / b, js: infix("/") },
  pow: { scalar: (a, b) => a ** b, js: infix("**") },
  // NaN wins (propagates), as in NumPy.
  maximum: { scalar: (a, b) => (a > b || a !== a ? a : b), js: (a, b) => `(${a} > ${b} || ${a} !== ${a} ? ${a} : ${b})` },
  minimum: { scalar: (a, b) => (a < b || a !== a ? a : b), js: (a, b) => `(${a} < ${b} || ${a} !== ${a} ? ${a} : ${b})` },
  eq: { scalar: (a, b) => (a === b ? 1 : 0), js: test("===") },
  ne: { scalar: (a, b) => (a !== b ? 1 : 0), js: test("!==") },
  lt: { scalar: (a, b) => (a < b ? 1 : 0), js: test("<") },
  le: { scalar: (a, b) => (a <= b ? 1 : 0), js: test("<=") },
  gt: { scalar: (a, b) => (a > b ? 1 : 0), js: test(">") },
  ge: { scalar: (a, b) => (a >= b ? 1 : 0), js: test(">=") },
};

const BINARY_OPS = Object.keys(binaryTable) as BinaryOp[];

/** 1 when `x` is contiguous, 0 when every element is the one at its offset (stride 0 everywhere), else -1. */
function flatStep(x: NDArray): number {
  if (x.isContiguous) return 1;
  const { shape, strides } = x;
  for (let i = 0; i < shape.length; i++) if (strides[i] !== 0 && shape[i] !== 1) return -1;
  return 0;
}

function binaryKernel(loop: BinaryLoop): Kernel<BinaryOp> {
  return ([a, b], _p, out) => {
    // Operands come in their own shapes (broadcasting is not recorded): broadcast them here.
    const x = broadcastView(a!, out.shape);
    const y = broadcastView(b!, out.shape);
    const xs = a!.size === 1 ? 0 : flatStep(x);
    const ys = b!.size === 1 ? 0 : flatStep(y);
    // Fast path: each operand contiguous, or one value broadcast everywhere (a scalar operand).
    if (xs >= 0 && ys >= 0)
      return loop(out.buffer, 0, x.buffer, x.offset, xs, y.buffer, y.offset, ys, out.size);
    let oi = 0;
    forEachRow(out.shape, [x.strides, y.strides], [x.offset, y.offset], (offs, len, inner) => {
      loop(out.buffer, oi, x.buffer, offs[0]!, inner[0]!, y.buffer, offs[1]!, inner[1]!, len);
      oi += len;
    });
  };
}

export const binaryKernels = Object.fromEntries(
  BINARY_OPS.map((k) => [k, binaryKernel(binaryLoop(binaryTable[k].js, binaryTable[k].scalar))]),
) as { [K in BinaryOp]: Kernel<K> };

const noGrad = () => [null, null];

/** Gradient rules. Inputs already have the output's shape: broadcasting went through `expand`. */
export const binaryPrims: PrimitiveTable<BinaryOp> = {
  add: { name: "add", vjp: (g) => [g, g] },
  sub: { name: "sub", vjp: (g, _i, _y, _p, needs) => [g, needs[1] ? neg(g) : null] },
  mul: {
    name: "mul",
    vjp: (g, [a, b], _y, _p, needs) => [needs[0] ? mul(g, b!) : null, needs[1] ? mul(g, a!) : null],
  },
  div: {
    name: "div",
    vjp: (g, [a, b], y, _p, needs) => [
      needs[0] ? div(g, b!) : null,
      needs[1] ? neg(div(mul(g, y), b!)) : null,
    ],
  },
  pow: {
    name: "pow",
    vjp: (g, [a, b], y, _p, needs) => [
      needs[0] ? mul(g, mul(b!, pow(a!, sub(b!, 1)))) : null,
      // d/db a^b = a^b log a, taken as 0 where a <= 0 (there the real power is only defined at integers).
      needs[1] ? where(gt(a!, 0), mul(g, mul(y, log(a!))), 0) : null,
    ],
  },
  // Ties share the gradient equally, so the rule is symmetric (as in PyTorch).
  maximum: { name: "maximum", vjp: (g, [a, b]) => tieSplit(g, gt(a!, b!), eqMask(a!, b!)) },
  minimum: { name: "minimum", vjp: (g, [a, b]) => tieSplit(g, lt(a!, b!), eqMask(a!, b!)) },
  eq: { name: "eq", vjp: noGrad },
  ne: { name: "ne", vjp: noGrad },
  lt: { name: "lt", vjp: noGrad },
  le: { name: "le", vjp: noGrad },
  gt: { name: "gt", vjp: noGrad },
  ge: { name: "ge", vjp: noGrad },
};

function eqMask(a: NDArray, b: NDArray): NDArray {
  return eq(a, b);
}

function tieSplit(g: NDArray, wins: NDArray, ties: NDArray): NDArray[] {
  const w = add(cast(wins, g.dtype), mul(cast(ties, g.dtype), 0.5));
  return [mul(g, w), mul(g, sub(1, w))];
}

/** Broadcasts both operands (recording `expand`, whose gradient sums back) and promotes dtypes. */
/** Promotes dtypes (weak scalars adopt the other side's) and works out the broadcast shape. */
function prepare(
  op: string,
  a: Input,
  b: Input,
  dtype: ((d: DType) => DType) | undefined,
  exact: boolean,
  into: Prepared,
): Prepared {
  let x = operand(a, b, op, exact);
  let y = operand(b, a, op, exact);
  let d = promote(x.dtype, y.dtype);
  if (dtype) d = dtype(d);
  if (x.dtype !== d) x = cast(x, d);
  if (y.dtype !== d) y = cast(y, d);
  into.x = x;
  into.y = y;
  into.dtype = d;
  into.shape = shapesEqual(x.shape, y.shape)
    ? x.shape
    : y.ndim === 0
      ? x.shape
      : x.ndim === 0
        ? y.shape
        : broadcastShapes(op, x.shape, y.shape);
  return into;
}

interface Prepared {
  x: NDArray;
  y: NDArray;
  dtype: DType;
  shape: readonly number[];
}
// Reused by every call (ops never re-enter prepare before reading it): no tuple per op.
const scratch = {} as Prepared;
const NO_PARAMS = Object.freeze({});

const arithDType = (d: DType): DType => (d === "bool" ? "int32" : d);
const sameDType = (d: DType): DType => d;

function arith(op: ArithOp, a: Input, b: Input, dtype: (d: DType) => DType = arithDType): NDArray {
  const p = prepare(op, a, b, dtype, false, scratch);
  return run(binaryPrims[op], [p.x, p.y], NO_PARAMS, p.shape, p.dtype);
}

function compare(op: CompareOp, a: Input, b: Input): NDArray {
  const p = prepare(op, a, b, undefined, true, scratch);
  return run(binaryPrims[op], [p.x, p.y], NO_PARAMS, p.shape, "bool");
}

/** Throws when an integer power has a negative exponent (NumPy refuses these too). */
function checkIntegerPower(a: Input, b: Input): void {
  const isInt = (v: Input) => (v instanceof NDArray ? !isFloat(v.dtype) : Number.isInteger(+v));
  if (!isInt(a) || !isInt(b)) return;
  if (a instanceof NDArray || b instanceof NDArray) {
    if (b instanceof NDArray) {
      const data = b.dataSync();
      for (let i = 0; i < data.length; i++) if (data[i]! < 0) throw negativePower(data[i]!);
    } else if (+b < 0) throw negativePower(+b);
  }
}

const negativePower = (e: number) =>
  new RangeError(
    `pow: integers to negative integer powers are not allowed (exponent ${e}); cast the base to a float dtype first`,
  );

export const add = (a: Input, b: Input) => arith("add", a, b);
export const sub = (a: Input, b: Input) => arith("sub", a, b);
export const mul = (a: Input, b: Input) => arith("mul", a, b);
/** True division: integer inputs give float32. */
export const div = (a: Input, b: Input) => arith("div", a, b, floatOf);
/** Elementwise power; integer arrays to negative integer exponents throw (cast to float first). */
export const pow = (a: Input, b: Input) => {
  checkIntegerPower(a, b);
  return arith("pow", a, b);
};
/** Elementwise maximum; NaN wins (propagates), as in NumPy. */
export const maximum = (a: Input, b: Input) => arith("maximum", a, b, sameDType);
/** Elementwise minimum; NaN wins (propagates), as in NumPy. */
export const minimum = (a: Input, b: Input) => arith("minimum", a, b, sameDType);
export const eq = (a: Input, b: Input) => compare("eq", a, b);
export const ne = (a: Input, b: Input) => compare("ne", a, b);
export const lt = (a: Input, b: Input) => compare("lt", a, b);
export const le = (a: Input, b: Input) => compare("le", a, b);
export const gt = (a: Input, b: Input) => compare("gt", a, b);
export const ge = (a: Input, b: Input) => compare("ge", a, b);
