import { type DType, floatOf, isFloat, promote } from "../dtype";
import { run } from "../engine";
import { forEachRow } from "../iter";
import { NDArray } from "../ndarray";
import type { BinaryOp, Kernel, PrimitiveTable, VJP } from "../primitive";
import { broadcastShapes, shapesEqual } from "../shape";
import { cast } from "./cast";
import { log, neg } from "./unary";
import { type Input, operand } from "./util";
import { broadcastView } from "./views";
import { binaryLoop, type BinaryLoop } from "./codegen";
import { where } from "./where";
import { checkRange } from "./deferred";

/** Everything about one binary op; its kernel, fused loops, function, method and gradient derive from it. */
export interface BinaryRow {
  /** The value for one pair of elements (the CSP-safe loops and the graph's interpreter). */
  readonly scalar: (a: number, b: number) => number;
  /** The same as a JS expression of the operands `a` and `b`. */
  readonly js: (a: string, b: string) => string;
  /** A comparison: the result is bool, weak scalars compare exactly, and there is no gradient. */
  readonly compare: boolean;
  /** The dtype both operands are computed in, from their promoted dtype. */
  readonly operands: (promoted: DType) => DType;
  /** The gradient rule; the inputs already have the output's shape (broadcasting went through `expand`). */
  readonly vjp: VJP<{}>;
  /** Rejects inputs the op refuses (NumPy's rules), naming the op. */
  readonly check?: (a: Input, b: Input) => void;
}

const infix = (op: string) => (a: string, b: string) => `${a} ${op} ${b}`;
const test = (op: string) => (a: string, b: string) => `(${a} ${op} ${b} ? 1 : 0)`;
const sameDType = (d: DType): DType => d;
const arith = { compare: false, operands: (d: DType): DType => (d === "bool" ? "int32" : d) } as const;
const compare = { compare: true, operands: sameDType, vjp: () => [null, null] } as const;

// prettier-ignore
export const binaryTable: { readonly [K in BinaryOp]: BinaryRow } = {
  add: { ...arith, scalar: (a, b) => a + b, js: infix("+"), vjp: (g) => [g, g] },
  sub: { ...arith, scalar: (a, b) => a - b, js: infix("-"), vjp: (g, _i, _y, _p, needs) => [g, needs[1] ? neg(g) : null] },
  mul: {
    ...arith, scalar: (a, b) => a * b, js: infix("*"),
    vjp: (g, [a, b], _y, _p, needs) => [needs[0] ? mul(g, b!) : null, needs[1] ? mul(g, a!) : null],
  },
  // True division: integer inputs give float32.
  div: {
    ...arith, operands: floatOf, scalar: (a, b) => a / b, js: infix("/"),
    vjp: (g, [, b], y, _p, needs) => [needs[0] ? div(g, b!) : null, needs[1] ? neg(div(mul(g, y), b!)) : null],
  },
  pow: {
    ...arith, scalar: (a, b) => a ** b, js: infix("**"), check: checkIntegerPower,
    vjp: (g, [a, b], y, _p, needs) => [
      needs[0] ? mul(g, mul(b!, pow(a!, sub(b!, 1)))) : null,
      // d/db a^b = a^b log a, taken as 0 where a <= 0 (there the real power is only defined at integers).
      needs[1] ? where(gt(a!, 0), mul(g, mul(y, log(a!))), 0) : null,
    ],
  },
  // NaN wins (propagates), as in NumPy; ties share the gradient equally, so the rule is symmetric (as in PyTorch).
  maximum: {
    ...arith, operands: sameDType, scalar: (a, b) => (a > b || a !== a ? a : b), js: (a, b) => `(${a} > ${b} || ${a} !== ${a} ? ${a} : ${b})`,
    vjp: (g, [a, b]) => tieSplit(g, gt(a!, b!), eq(a!, b!)),
  },
  minimum: {
    ...arith, operands: sameDType, scalar: (a, b) => (a < b || a !== a ? a : b), js: (a, b) => `(${a} < ${b} || ${a} !== ${a} ? ${a} : ${b})`,
    vjp: (g, [a, b]) => tieSplit(g, lt(a!, b!), eq(a!, b!)),
  },
  eq: { ...compare, scalar: (a, b) => (a === b ? 1 : 0), js: test("===") },
  ne: { ...compare, scalar: (a, b) => (a !== b ? 1 : 0), js: test("!==") },
  lt: { ...compare, scalar: (a, b) => (a < b ? 1 : 0), js: test("<") },
  le: { ...compare, scalar: (a, b) => (a <= b ? 1 : 0), js: test("<=") },
  gt: { ...compare, scalar: (a, b) => (a > b ? 1 : 0), js: test(">") },
  ge: { ...compare, scalar: (a, b) => (a >= b ? 1 : 0), js: test(">=") },
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

export const binaryPrims = Object.fromEntries(
  BINARY_OPS.map((k) => [k, { name: k, vjp: binaryTable[k].vjp }]),
) as unknown as PrimitiveTable<BinaryOp>;

function tieSplit(g: NDArray, wins: NDArray, ties: NDArray): NDArray[] {
  const w = add(cast(wins, g.dtype), mul(cast(ties, g.dtype), 0.5));
  return [mul(g, w), mul(g, sub(1, w))];
}

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

function binary(op: BinaryOp, a: Input, b: Input): NDArray {
  const row = binaryTable[op];
  row.check?.(a, b);
  const p = prepare(op, a, b, row.operands, row.compare, scratch);
  return run(binaryPrims[op], [p.x, p.y], NO_PARAMS, p.shape, row.compare ? "bool" : p.dtype);
}

/** Throws when an integer power has a negative exponent (NumPy refuses these too). */
function checkIntegerPower(a: Input, b: Input): void {
  const isInt = (v: Input) => (v instanceof NDArray ? !isFloat(v.dtype) : Number.isInteger(+v));
  if (!isInt(a) || !isInt(b)) return;
  if (a instanceof NDArray || b instanceof NDArray) {
    // Exponents on a device are checked at the next read (see checkRange).
    if (b instanceof NDArray) checkRange(b, 0, Infinity, negativePower);
    else if (+b < 0) throw negativePower(+b);
  }
}

const negativePower = (e: number) =>
  new RangeError(
    `pow: integers to negative integer powers are not allowed (exponent ${e}); cast the base to a float dtype first`,
  );

// Each function carries its op's name, as the unary ones do.
const named = (k: BinaryOp) =>
  Object.defineProperty((a: Input, b: Input) => binary(k, a, b), "name", { value: k });
/** One function per binary op (`np.add(a, b)`); the methods (`a.add(b)`) derive from the same object. */
export const binaryOps = Object.fromEntries(BINARY_OPS.map((k) => [k, named(k)])) as {
  readonly [K in BinaryOp]: (a: Input, b: Input) => NDArray;
};

export const { add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge } = binaryOps;
