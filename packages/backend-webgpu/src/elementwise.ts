import {
  NDArray as NDArrayCtor,
  type ArithOp,
  type CompareOp,
  type DType,
  type Kernel,
  type NDArray,
  type UnaryOp,
} from "@chainrule/ndarray";
import { ISNAN, MAIN_ARGS, THREAD_INDEX, bufferOf, gridFor, wgslType, type Runner } from "./runner";

/** Strides of `x` seen in `shape` (right-aligned, zero along broadcast axes), as the js kernels read it. */
export function broadcastStrides(x: NDArray, shape: readonly number[]): number[] {
  const lead = shape.length - x.ndim;
  return shape.map((_, d) => (d < lead || x.shape[d - lead] === 1 ? 0 : x.strides[d - lead]!));
}

/** Stored values wrap as the host typed arrays do: uint8 to 0–255 (int32 and f32 wrap by themselves). */
function wrap(dtype: DType, expr: string): string {
  return dtype === "uint8" ? `((${expr}) & 255u)` : expr;
}

/**
 * One thread per output element: decompose the flat index over the output shape, and add each
 * input's strides (meta: size, rank, shape, the output's offset and strides, then per input its
 * offset and strides). The output is written through strides too, so unslice and concat are copies.
 */
function shader(inputs: readonly DType[], out: DType, body: string, lets = ""): string {
  const binds = inputs.map(
    (d, k) => `@group(0) @binding(${k + 1}) var<storage, read> in${k}: array<${wgslType(d)}>;`,
  );
  const m = inputs.length + 1;
  const offs = inputs.map((_, k) => `var o${k} = info[3 + 2 * rank + ${k} * (rank + 1)];`).join("\n  ");
  const steps = inputs
    .map((_, k) => `o${k} += c * info[4 + 2 * rank + ${k} * (rank + 1) + d];`)
    .join("\n    ");
  const loads = inputs.map((_, k) => `let v${k} = in${k}[o${k}];`).join("\n  ");
  return `@group(0) @binding(0) var<storage, read_write> out: array<${wgslType(out)}>;
${binds.join("\n")}
@group(0) @binding(${m}) var<storage, read> info: array<i32>;
${HELPERS}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= info[0]) { return; }
  let rank = info[1];
  ${offs}
  var w = info[2 + rank];
  var rem = i;
  for (var d = rank - 1; d >= 0; d--) {
    let n = info[2 + d];
    let c = rem % n;
    rem = rem / n;
    w += c * info[3 + rank + d];
    ${steps}
  }
  ${loads}
  ${lets}
  out[w] = ${body};
}`;
}

/** Float helpers WGSL lacks (log1p/expm1 accurate near 0, an overflow-safe sigmoid and tanh). */
const HELPERS = `
${ISNAN}
fn nan_() -> f32 { var b = 0x7fc00000u; return bitcast<f32>(b); }
fn inf_() -> f32 { var b = 0x7f800000u; return bitcast<f32>(b); }
fn log_(x: f32) -> f32 { if (x < 0.0) { return nan_(); } if (x == 0.0) { return -inf_(); } return log(x); }
fn sqrt_(x: f32) -> f32 { if (x < 0.0) { return nan_(); } return sqrt(x); }
fn log1p_(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u < 0.0) { return nan_(); }
  if (u == 0.0) { return -inf_(); }
  if (u == 1.0) { return x; }
  return log(u) * x / (u - 1.0);
}
fn expm1_(x: f32) -> f32 { if (abs(x) > 0.5) { return exp(x) - 1.0; } let u = exp(x); if (u == 1.0) { return x; } return (u - 1.0) * x / log(u); }
fn sigmoid_(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }
fn ipow_i(a: i32, b: i32) -> i32 { var r = 1; var e = b; var base = a; while (e > 0) { if ((e & 1) == 1) { r = r * base; } base = base * base; e = e >> 1u; } return r; }
fn ipow_u(a: u32, b: u32) -> u32 { var r = 1u; var e = b; var base = a; while (e > 0u) { if ((e & 1u) == 1u) { r = r * base; } base = base * base; e = e >> 1u; } return r; }
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a >= 0.0) { return pow(a, b); }
  if (b != floor(b)) { return nan_(); }
  let r = pow(-a, b);
  return select(-r, r, fract(b * 0.5) == 0.0);
}
fn round_(x: f32) -> f32 { return round(x); }
`;

/**
 * The same walk over fewer axes: size-1 axes dropped, and an axis merged into the next wherever every
 * array (output and inputs) steps over it as over `size` of the next (contiguous runs, broadcast runs),
 * so a thread decomposes its index over as few axes as the layout allows (one for same-shape contiguous
 * arrays, two for a bias along the last axis).
 */
export function collapseAxes(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    const merges = last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * n);
    if (merges) {
      outShape[last] = outShape[last]! * n;
      strides.forEach((s, k) => (outStrides[k]![last] = s[d]!));
    } else {
      outShape.push(n);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Runs an elementwise shader over `inputs`, broadcast to `out`'s shape (a strided view of its storage):
 * `lets` (statements over the loaded values v0, v1, …) then `out = body`.
 */
export function runElementwise(
  runner: Runner,
  op: string,
  inputs: readonly NDArray[],
  out: NDArray,
  body: string,
  lets = "",
): void {
  const buffers = [bufferOf(out, op), ...inputs.map((x) => bufferOf(x, op))];
  if (out.size === 0) return;
  const all = [out.strides, ...inputs.map((x) => broadcastStrides(x, out.shape))];
  const { shape, strides } = collapseAxes(out.shape, all);
  const meta = [out.size, shape.length, ...shape, out.offset, ...strides[0]!];
  inputs.forEach((x, k) => meta.push(x.offset, ...strides[k + 1]!));
  const code = shader(
    inputs.map((x) => x.dtype),
    out.dtype,
    body,
    lets,
  );
  runner.dispatch(op, code, buffers, Int32Array.from(meta), gridFor(out.size));
}

const FLOAT_UNARY: Record<UnaryOp, string> = {
  neg: "-v0",
  abs: "abs(v0)",
  sign: "sign(v0)",
  exp: "exp(v0)",
  log: "log_(v0)",
  log1p: "log1p_(v0)",
  expm1: "expm1_(v0)",
  sqrt: "sqrt_(v0)",
  sin: "sin(v0)",
  cos: "cos(v0)",
  tanh: "tanh(clamp(v0, -15.0, 15.0))",
  sigmoid: "sigmoid_(v0)",
  relu: "select(v0, 0.0, v0 <= 0.0)",
  floor: "floor(v0)",
  ceil: "ceil(v0)",
  round: "round_(v0)",
};

/** Integer unary ops: float-only ones never get here (the op casts to float32 first). */
function intUnary(op: UnaryOp, d: DType): string {
  const t = wgslType(d);
  switch (op) {
    case "neg":
      return wrap(d, `${t}(0) - v0`);
    case "abs":
      return t === "i32" ? "abs(v0)" : "v0";
    case "sign":
      return t === "i32" ? "sign(v0)" : "select(0u, 1u, v0 > 0u)";
    case "relu":
      return t === "i32" ? "max(v0, 0)" : "v0";
    default:
      return "v0"; // floor, ceil, round of an integer
  }
}

/** The WGSL value of a unary op on `v0`, for a result of dtype `d` (kernels and fused shaders share it). */
export function unaryBody(op: UnaryOp, d: DType): string {
  return d === "float32" ? FLOAT_UNARY[op] : intUnary(op, d);
}

export function unaryKernel(runner: Runner, op: UnaryOp): Kernel<UnaryOp> {
  return ([x], _p, out) => runElementwise(runner, op, [x!], out, unaryBody(op, out.dtype));
}

/** The WGSL value of an arithmetic op on `v0`, `v1` (both of the result's dtype `d`). */
export function arithBody(op: ArithOp, d: DType): string {
  const t = wgslType(d);
  const nanFirst = t === "f32" ? " || isnan_(v0)" : "";
  switch (op) {
    case "add":
      return wrap(d, "v0 + v1");
    case "sub":
      return wrap(d, "v0 - v1");
    case "mul":
      return wrap(d, "v0 * v1");
    case "div":
      return "v0 / v1"; // integer inputs were cast to float32 by the op
    case "pow":
      return t === "f32" ? "pow_(v0, v1)" : wrap(d, `ipow_${t === "i32" ? "i" : "u"}(v0, v1)`);
    case "maximum":
      return `select(v1, v0, v0 > v1${nanFirst})`;
    case "minimum":
      return `select(v1, v0, v0 < v1${nanFirst})`;
  }
}

const COMPARE: Record<CompareOp, string> = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };

/** A comparison of `v0` and `v1` as a bool (u32 0/1). */
export const compareBody = (op: CompareOp) => `select(0u, 1u, v0 ${COMPARE[op]} v1)`;

/** `where(v0, v1, v2)` with a condition of dtype `cond`. */
export const whereBody = (cond: DType) => `select(v2, v1, v0 != ${wgslType(cond)}(0))`;

export function arithKernel(runner: Runner, op: ArithOp): Kernel<ArithOp> {
  return ([a, b], _p, out) => runElementwise(runner, op, [a!, b!], out, arithBody(op, out.dtype));
}

export function compareKernel(runner: Runner, op: CompareOp): Kernel<CompareOp> {
  return ([a, b], _p, out) => runElementwise(runner, op, [a!, b!], out, compareBody(op));
}

/** float→int truncates toward zero, then wraps as the host typed arrays do; anything→bool tests ≠ 0. */
export function castBody(from: DType, to: DType): string {
  const s = wgslType(from);
  if (to === "bool") return `select(0u, 1u, v0 != ${s}(0))`;
  if (to === "float32") return "f32(v0)";
  const asInt = s === "f32" ? "i32(trunc(v0))" : s === "u32" ? "i32(v0)" : "v0";
  return to === "int32" ? asInt : `(u32(${asInt}) & 255u)`;
}

export function castKernel(runner: Runner): Kernel<"cast"> {
  return ([x], _p, out) => runElementwise(runner, "cast", [x!], out, castBody(x!.dtype, out.dtype));
}

export function whereKernel(runner: Runner): Kernel<"where"> {
  return ([c, a, b], _p, out) => runElementwise(runner, "where", [c!, a!, b!], out, whereBody(c!.dtype));
}

export function copyKernel(runner: Runner): Kernel<"copy"> {
  return ([x], _p, out) => runElementwise(runner, "copy", [x!], out, "v0");
}

/** Writes `x` into the view of `out`'s storage at `offset` with `strides` (shaped as `x`). */
function copyInto(
  runner: Runner,
  op: string,
  x: NDArray,
  out: NDArray,
  offset: number,
  strides: number[],
): void {
  const view = new NDArrayCtor(out.storage, x.shape, out.dtype, strides, offset);
  runElementwise(runner, op, [x], view, "v0");
}

export function unsliceKernel(runner: Runner): Kernel<"unslice"> {
  return ([g], { starts, steps }, out) => {
    const offset = starts.reduce((s, st, i) => s + st * out.strides[i]!, 0);
    copyInto(
      runner,
      "unslice",
      g!,
      out,
      offset,
      out.strides.map((st, i) => st * steps[i]!),
    );
  };
}

export function concatKernel(runner: Runner): Kernel<"concat"> {
  return (inputs, { axis }, out) => {
    let start = 0;
    for (const x of inputs) {
      copyInto(runner, "concat", x, out, start * out.strides[axis]!, [...out.strides]);
      start += x.shape[axis]!;
    }
  };
}
