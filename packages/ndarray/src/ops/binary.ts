import { type DType, floatOf, promote } from "../dtype";
import { run } from "../engine";
import { forEachRow } from "../iter";
import type { NDArray } from "../ndarray";
import type { ArithOp, BinaryOp, CompareOp, Kernel, PrimitiveTable } from "../primitive";
import { broadcastShapes } from "../shape";
import { cast } from "./cast";
import { log, neg } from "./unary";
import { type Input, operand } from "./util";
import { broadcastTo } from "./views";
import { where } from "./where";

type TA = NDArray["buffer"];
/** out[oi+j] = f(a[ai + j*as], b[bi + j*bs]). One literal per op keeps each loop monomorphic. */
type Loop = (
  o: TA,
  oi: number,
  a: TA,
  ai: number,
  as: number,
  b: TA,
  bi: number,
  bs: number,
  n: number,
) => void;

// prettier-ignore
const LOOPS: { [K in BinaryOp]: Loop } = {
  add: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) o[oi + j] = a[ai]! + b[bi]!; },
  sub: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) o[oi + j] = a[ai]! - b[bi]!; },
  mul: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) o[oi + j] = a[ai]! * b[bi]!; },
  div: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) o[oi + j] = a[ai]! / b[bi]!; },
  pow: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) o[oi + j] = a[ai]! ** b[bi]!; },
  maximum: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) { const x = a[ai]!, y = b[bi]!; o[oi + j] = x > y || x !== x ? x : y; } },
  minimum: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) { const x = a[ai]!, y = b[bi]!; o[oi + j] = x < y || x !== x ? x : y; } },
  eq: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) o[oi + j] = a[ai]! === b[bi]! ? 1 : 0; },
  ne: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) o[oi + j] = a[ai]! !== b[bi]! ? 1 : 0; },
  lt: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) o[oi + j] = a[ai]! < b[bi]! ? 1 : 0; },
  le: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) o[oi + j] = a[ai]! <= b[bi]! ? 1 : 0; },
  gt: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) o[oi + j] = a[ai]! > b[bi]! ? 1 : 0; },
  ge: (o, oi, a, ai, as, b, bi, bs, n) => { for (let j = 0; j < n; j++, ai += as, bi += bs) o[oi + j] = a[ai]! >= b[bi]! ? 1 : 0; },
};

function binaryKernel(loop: Loop): Kernel<BinaryOp> {
  return ([a, b], _p, out) => {
    const x = a!;
    const y = b!;
    const n = out.size;
    const xs = x.size === 1 ? 0 : 1;
    const ys = y.size === 1 ? 0 : 1;
    // Fast paths: both operands contiguous, or one a broadcast scalar.
    if ((xs === 0 || x.isContiguous) && (ys === 0 || y.isContiguous)) {
      return loop(out.buffer, 0, x.buffer, x.offset, xs, y.buffer, y.offset, ys, n);
    }
    let oi = 0;
    forEachRow(out.shape, [x.strides, y.strides], [x.offset, y.offset], (offs, len, inner) => {
      loop(out.buffer, oi, x.buffer, offs[0]!, inner[0]!, y.buffer, offs[1]!, inner[1]!, len);
      oi += len;
    });
  };
}

export const binaryKernels = Object.fromEntries(
  Object.entries(LOOPS).map(([k, loop]) => [k, binaryKernel(loop)]),
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
function prepare(op: string, a: Input, b: Input, dtype?: (d: DType) => DType): [NDArray, NDArray, DType] {
  let x = operand(a, b, op);
  let y = operand(b, a, op);
  let d = promote(x.dtype, y.dtype);
  if (dtype) d = dtype(d);
  else if (d === "bool" && !op.endsWith("imum")) d = "int32"; // arithmetic on bools counts
  if (x.dtype !== d) x = cast(x, d);
  if (y.dtype !== d) y = cast(y, d);
  const xs = x.shape;
  const ys = y.shape;
  if (xs.length !== ys.length || xs.some((v, i) => v !== ys[i])) {
    const shape = broadcastShapes(op, xs, ys);
    x = broadcastTo(x, shape);
    y = broadcastTo(y, shape);
  }
  return [x, y, d];
}

function arith(op: ArithOp, a: Input, b: Input, dtype?: (d: DType) => DType): NDArray {
  const [x, y, d] = prepare(op, a, b, dtype);
  return run(binaryPrims[op], [x, y], {}, x.shape, d);
}

function compare(op: CompareOp, a: Input, b: Input): NDArray {
  const [x, y] = prepare(op, a, b, (d) => d);
  return run(binaryPrims[op], [x, y], {}, x.shape, "bool");
}

export const add = (a: Input, b: Input) => arith("add", a, b);
export const sub = (a: Input, b: Input) => arith("sub", a, b);
export const mul = (a: Input, b: Input) => arith("mul", a, b);
/** True division: integer inputs give float32. */
export const div = (a: Input, b: Input) => arith("div", a, b, floatOf);
export const pow = (a: Input, b: Input) => arith("pow", a, b);
export const maximum = (a: Input, b: Input) => arith("maximum", a, b);
export const minimum = (a: Input, b: Input) => arith("minimum", a, b);
export const eq = (a: Input, b: Input) => compare("eq", a, b);
export const ne = (a: Input, b: Input) => compare("ne", a, b);
export const lt = (a: Input, b: Input) => compare("lt", a, b);
export const le = (a: Input, b: Input) => compare("le", a, b);
export const gt = (a: Input, b: Input) => compare("gt", a, b);
export const ge = (a: Input, b: Input) => compare("ge", a, b);
