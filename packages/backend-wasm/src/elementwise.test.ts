import { describe, expect, it } from "vitest";
import { binary, binaryRowBroadcast, unary, type BinaryOp, type UnaryOp } from "./index";
import { maxRelError, randomArray } from "./test-helpers";

const unaryRef: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => Math.max(x, 0),
  square: (x) => x * x,
};

const binaryRef: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: Math.max,
  minimum: Math.min,
};

// Inputs spanning the interesting ranges, including saturation and special values.
function inputs(ctor: Float32ArrayConstructor | Float64ArrayConstructor, op: UnaryOp) {
  const x = randomArray(ctor, 1003, 42);
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * (i % 3 === 0 ? 30 : 3);
  if (op === "log" || op === "sqrt")
    for (let i = 0; i < x.length; i++) x[i] = Math.abs(x[i]!) * 10 ** ((i % 11) - 5);
  const specials = [0, -0, Infinity, -Infinity, NaN, 1e-30, -88, 88, 700, -700];
  specials.forEach((v, i) => (x[i] = v));
  return x;
}

// float32 kernels use Mathf (musl), compared with Math.* rounded to float32.
const tolerance = { float32: 2e-7, float64: 4e-16 };

describe.each([
  ["float32", Float32Array],
  ["float64", Float64Array],
] as const)("elementwise %s", (dtype, ctor) => {
  it.each(Object.keys(unaryRef) as UnaryOp[])("unary %s matches Math within an ulp or two", (op) => {
    const x = inputs(ctor, op);
    const y = unary(op, x);
    expect(y).toBeInstanceOf(ctor);
    const expected = Array.from(x, (v) =>
      dtype === "float32" ? Math.fround(unaryRef[op](v)) : unaryRef[op](v),
    );
    // A tiny absolute floor so results that underflow towards 0 compare sensibly.
    const { worst, at } = maxRelError(y, expected, dtype === "float32" ? 1e-37 : 1e-300);
    expect(worst, `${op}(${x[at]}) = ${y[at]}, expected ${expected[at]}`).toBeLessThanOrEqual(
      tolerance[dtype],
    );
  });

  it.each(Object.keys(binaryRef) as BinaryOp[])("binary %s matches JS exactly", (op) => {
    const a = randomArray(ctor, 1001, 1);
    const b = randomArray(ctor, 1001, 2);
    a.set([NaN, 0, -0, 1, Infinity], 0);
    b.set([1, -0, 0, NaN, 2], 0);
    const y = binary(op, a, b);
    const expected = Array.from(a, (v, i) => binaryRef[op](v, b[i]!));
    expect(Array.from(y)).toEqual(Array.from(ctor.from(expected)));
  });

  it.each(Object.keys(binaryRef) as BinaryOp[])("row-broadcast %s matches JS exactly", (op) => {
    const rows = 7;
    const cols = 13;
    const a = randomArray(ctor, rows * cols, 3);
    const b = randomArray(ctor, cols, 4);
    const y = binaryRowBroadcast(op, a, b);
    const expected = Array.from(a, (v, i) => binaryRef[op](v, b[i % cols]!));
    expect(Array.from(y)).toEqual(Array.from(ctor.from(expected)));
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
