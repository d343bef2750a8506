import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { binary, binaryRowBroadcast, binaryScalar, unary, WASM_BINARY, WASM_UNARY } from "./index";
import type { BinaryOp, UnaryOp } from "./index";
import { maxRelError, randomArray } from "./test-helpers";

// Every wasm elementwise kernel against ndarray's reference kernel for the same op, exhaustively by op name
// (the op lists are ndarray's own tables): bit for bit for the ops the backend runs in wasm, within an ulp
// or two for the transcendental ones (musl's Math in wasm against V8's).
const UNARY = Object.keys(np.unaryTable) as UnaryOp[];
const BINARY = Object.keys(np.binaryTable) as BinaryOp[];

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const dtypeOf = (ctor: Ctor) => (ctor === Float32Array ? "float32" : "float64");

/** The reference kernel's result (floats; comparisons' bools as 1/0). */
function referenceUnary(op: UnaryOp, x: Float32Array | Float64Array): number[] {
  const input = np.array(x, { dtype: dtypeOf(x.constructor as Ctor) });
  const out = np.NDArray.empty(input.shape, input.dtype);
  np.jsBackend.kernels[op]([input], {}, out);
  return Array.from(out.dataSync());
}

function referenceBinary(op: BinaryOp, a: Float32Array | Float64Array, b: Float32Array | Float64Array) {
  const dtype = dtypeOf(a.constructor as Ctor);
  const x = np.array(a, { dtype });
  const y = np.array(b, { dtype, shape: b.length === a.length ? [a.length] : [b.length] });
  const compare = !["add", "sub", "mul", "div", "pow", "maximum", "minimum"].includes(op);
  const out = np.NDArray.empty([a.length], compare ? "bool" : dtype);
  np.jsBackend.kernels[op]([x, y], {}, out);
  return Array.from(out.dataSync());
}

// Inputs spanning the interesting ranges, including saturation, halves (rounding) and special values.
function inputs(ctor: Ctor, op: UnaryOp) {
  const x = randomArray(ctor, 1003, 42);
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * (i % 3 === 0 ? 30 : 3);
  if (op === "log" || op === "sqrt" || op === "log1p")
    for (let i = 0; i < x.length; i++) x[i] = Math.abs(x[i]!) * 10 ** ((i % 11) - 5);
  const specials = [0, -0, Infinity, -Infinity, NaN, 1e-30, -88, 88, 700, -700, 0.5, -0.5, 1.5, 2.5, -2.5];
  specials.forEach((v, i) => (x[i] = v));
  return x;
}

const tolerance = { float32: 2e-7, float64: 4e-16 };
const same = (actual: ArrayLike<number>, expected: number[]) =>
  expect(Array.from(actual).map((v) => (Object.is(v, -0) ? "-0" : v))).toEqual(
    expected.map((v) => (Object.is(v, -0) ? "-0" : v)),
  );

describe.each([
  ["float32", Float32Array],
  ["float64", Float64Array],
] as const)("elementwise %s", (dtype, ctor) => {
  it.each(UNARY)("unary %s matches the reference kernel", (op) => {
    const x = inputs(ctor, op);
    const y = unary(op, x);
    expect(y).toBeInstanceOf(ctor);
    const expected = referenceUnary(op, x);
    if (WASM_UNARY[op]) return same(y, expected); // the backend runs it: bit for bit, ±0 included
    const { worst, at } = maxRelError(y, expected, dtype === "float32" ? 1e-37 : 1e-300);
    expect(worst, `${op}(${x[at]}) = ${y[at]}, expected ${expected[at]}`).toBeLessThanOrEqual(
      tolerance[dtype] * (op === "sin" || op === "cos" ? 4 : 1),
    );
  });

  it.each(BINARY)("binary %s matches the reference kernel: same shape, scalar, row broadcast", (op) => {
    const a = randomArray(ctor, 1001, 1);
    const b = randomArray(ctor, 1001, 2);
    a.set([NaN, 0, -0, 1, Infinity, 2, -0, 0, 3], 0);
    b.set([1, -0, 0, NaN, 2, 2, -0, 0, -Infinity], 0);
    const check = (got: ArrayLike<number>, expected: number[]) => {
      if (WASM_BINARY[op] || op !== "pow") return same(got, expected);
      const { worst } = maxRelError(got, expected, 1e-30);
      expect(worst).toBeLessThanOrEqual(1e-6);
    };
    if (op === "pow") for (let i = 0; i < a.length; i++) a[i] = Math.abs(a[i]!);
    check(binary(op, a, b), referenceBinary(op, a, b));
    const s = ctor.from([b[1]!]);
    check(binaryScalar(op, a, s[0]!, false), referenceBinary(op, a, s));
    const flipped = Array.from(a, (v) => referenceBinary(op, ctor.from([s[0]!]), ctor.from([v]))[0]!);
    check(binaryScalar(op, a, s[0]!, true), flipped);
    const rows = 7;
    const cols = 13;
    const m = a.subarray(0, rows * cols);
    const row = b.subarray(0, cols);
    const tiled = m.map((_, i) => row[i % cols]!);
    check(binaryRowBroadcast(op, m, row), referenceBinary(op, m, tiled));
  });

  it("writes into out, which may alias the input", () => {
    const x = ctor.from([1, -2, 3, -4, 5]);
    expect(unary("abs", x, x)).toBe(x);
    expect(Array.from(x)).toEqual([1, 2, 3, 4, 5]);
    const out = new ctor(5);
    expect(binary("mul", x, x, out)).toBe(out);
    expect(Array.from(out)).toEqual([1, 4, 9, 16, 25]);
  });

  it("handles empty arrays and rejects bad shapes and ops", () => {
    expect(unary("exp", new ctor(0)).length).toBe(0);
    expect(binaryRowBroadcast("add", new ctor(0), new ctor(3)).length).toBe(0);
    expect(() => binary("add", new ctor(3), new ctor(4))).toThrow(RangeError);
    expect(() => binaryRowBroadcast("add", new ctor(7), new ctor(3))).toThrow(RangeError);
    expect(() => unary("cube" as UnaryOp, new ctor(3))).toThrow(RangeError);
    const other = dtype === "float32" ? Float64Array : Float32Array;
    expect(() => binary("add", new ctor(3), new other(3) as never)).toThrow(TypeError);
  });
});
