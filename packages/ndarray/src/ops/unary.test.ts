import { describe, expect, it } from "vitest";
import { backendName } from "../testing/backend";
import { expectArray, expectError, expectValues, values } from "../testing/helpers";
import * as np from "../index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });
const E = Math.E;

describe(`unary ops [${backendName}]`, () => {
  it("match hand-worked values in float64", () => {
    expectArray(np.neg(f64([1, -2, 0.5])), [-1, 2, -0.5], { dtype: "float64" });
    expectArray(np.abs(f64([-3, 0, 2.5])), [3, 0, 2.5]);
    expectArray(np.sign(f64([-3, 0, 2.5])), [-1, 0, 1]);
    expectArray(np.exp(f64([0, 1, -1])), [1, E, 1 / E], { rtol: 1e-15 });
    expectArray(np.log(f64([1, E, E * E, 0])), [0, 1, 2, -Infinity], { rtol: 1e-15 });
    expectArray(np.sqrt(f64([16, 2.25, 0])), [4, 1.5, 0]);
    expectArray(np.square(f64([-3, 1.5])), [9, 2.25]);
    expectArray(np.reciprocal(f64([4, -0.5])), [0.25, -2]);
    expectArray(np.sin(f64([0, Math.PI / 6, Math.PI / 2])), [0, 0.5, 1], { atol: 1e-15 });
    expectArray(np.cos(f64([0, Math.PI / 3, Math.PI])), [1, 0.5, -1], { atol: 1e-15 });
    expectArray(np.tanh(f64([0, Math.log(2)])), [0, 3 / 5], { atol: 1e-15 }); // tanh(ln 2) = (4-1)/(4+1)
    expectArray(np.sigmoid(f64([0, Math.log(3)])), [0.5, 0.75], { atol: 1e-15 }); // 1/(1+1/3)
    expectArray(np.relu(f64([-2, 0, 3])), [0, 0, 3]);
    expectArray(np.floor(f64([1.5, -1.5, 2])), [1, -2, 2]);
    expectArray(np.ceil(f64([1.5, -1.5, 2])), [2, -1, 2]);
  });

  it("log1p and expm1 keep precision near zero where log(1+x) and exp(x)-1 lose it", () => {
    // Series: log1p(x) = x - x²/2 + …, expm1(x) = x + x²/2 + …
    const x = 1e-10;
    const [l] = values(np.log1p(f64([x])));
    const [e] = values(np.expm1(f64([x])));
    expect(Math.abs(l! - (x - (x * x) / 2)) / x).toBeLessThan(1e-15);
    expect(Math.abs(e! - (x + (x * x) / 2)) / x).toBeLessThan(1e-15);
    expectArray(np.log1p(f64([E - 1])), [1], { rtol: 1e-15 });
    expectArray(np.expm1(f64([Math.log(5)])), [4], { rtol: 1e-15 });
  });

  it("satisfy float64 identities", () => {
    const xs = Array.from({ length: 41 }, (_, i) => -4 + i * 0.2);
    const x = f64(xs);
    const pos = f64(xs.map((v) => Math.abs(v) + 0.1));
    expectValues(np.exp(np.log(pos)), values(pos), { rtol: 1e-14 });
    expectValues(
      np.add(np.square(np.sin(x)), np.square(np.cos(x))),
      xs.map(() => 1),
      { rtol: 1e-15 },
    );
    // tanh(x) = 2σ(2x) − 1
    expectValues(np.tanh(x), values(np.sub(np.mul(np.sigmoid(np.mul(x, 2)), 2), 1)), { atol: 1e-15 });
    // σ(x) + σ(−x) = 1
    expectValues(
      np.add(np.sigmoid(x), np.sigmoid(np.neg(x))),
      xs.map(() => 1),
      { atol: 1e-15 },
    );
    expectValues(np.expm1(np.log1p(pos)), values(pos), { rtol: 1e-14 });
    expectValues(np.mul(np.sqrt(pos), np.sqrt(pos)), values(pos), { rtol: 1e-15 });
    expectValues(np.mul(np.abs(x), np.sign(x)), xs, { rtol: 0 });
  });

  it("compute float32 inputs in float32", () => {
    const x = np.array([0.1, 1, 2.5]);
    const y = np.exp(x);
    expect(y.dtype).toBe("float32");
    expect(y.buffer).toBeInstanceOf(Float32Array);
    expectValues(
      y,
      [0.1, 1, 2.5].map((v) => Math.fround(Math.exp(Math.fround(v)))),
    );
    expectValues(np.sqrt(np.array([2])), [Math.fround(Math.SQRT2)]);
  });

  it("sigmoid is stable in both tails", () => {
    expectArray(np.sigmoid(f64([-1000, 1000, -40])), [0, 1, Math.exp(-40) / (1 + Math.exp(-40))], {
      rtol: 1e-15,
    });
    expectArray(np.sigmoid(np.array([-200, 200])), [0, 1]);
  });

  it("round halves to even, as NumPy does", () => {
    expectArray(
      np.round(f64([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, -2.6])),
      [0, 2, 2, 0, -2, -2, 2, 3, -3],
    );
    expectArray(np.round(np.array([0.5, 1.5, 2.5, 3.5])), [0, 2, 2, 4], { dtype: "float32" });
  });

  it("propagate NaN and handle infinities", () => {
    const x = f64([NaN, Infinity, -Infinity]);
    expectArray(np.exp(x), [NaN, Infinity, 0]);
    expectArray(np.relu(x), [NaN, Infinity, 0]);
    expectArray(np.abs(x), [NaN, Infinity, Infinity]);
    expectArray(np.tanh(x), [NaN, 1, -1]);
    expectArray(np.sigmoid(x), [NaN, 1, 0]);
    expectArray(np.log(f64([-1])), [NaN]);
    expectArray(np.sqrt(f64([-1])), [NaN]);
  });

  it("give float32 for integer inputs of float-only functions, keep the dtype otherwise", () => {
    const i = np.array([1, -4, 9], { dtype: "int32" });
    expect(np.exp(i).dtype).toBe("float32");
    expectArray(np.sqrt(np.abs(i)), [1, 2, 3], { dtype: "float32" });
    expectArray(np.neg(i), [-1, 4, -9], { dtype: "int32" });
    expectArray(np.abs(i), [1, 4, 9], { dtype: "int32" });
    expectArray(np.sign(i), [1, -1, 1], { dtype: "int32" });
    expectArray(np.relu(i), [1, 0, 9], { dtype: "int32" });
    expectArray(np.floor(i), [1, -4, 9], { dtype: "int32" });
    expectArray(np.square(i), [1, 16, 81], { dtype: "int32" });
    expectArray(np.reciprocal(np.array([2, 4], { dtype: "int32" })), [0.5, 0.25], { dtype: "float32" });
    expectArray(np.exp(np.array([0], { dtype: "uint8" })), [1], { dtype: "float32" });
  });

  it("reject bool arrays where a number dtype is needed, naming the op", () => {
    const b = np.array([true, false]);
    for (const op of ["neg", "sign", "relu", "floor", "ceil", "round"] as const) {
      expectError(() => np[op](b), TypeError, op, "bool");
    }
    expectArray(np.abs(b), [1, 0], { dtype: "bool" });
    expectArray(np.exp(b), [E, 1], { dtype: "float32", rtol: 1e-7 });
  });

  it("read strided inputs: transposed, reversed, broadcast (stride 0) and offset views", () => {
    const base = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expectArray(np.neg(np.transpose(base)), [
      [-1, -4],
      [-2, -5],
      [-3, -6],
    ]);
    expectArray(np.square(np.slice(base, "::-1, ::-2")), [
      [36, 16],
      [9, 1],
    ]);
    const row = np.broadcastTo(f64([1, 4, 9]), [2, 3]);
    expect(row.strides[0]).toBe(0);
    expectArray(np.sqrt(row), [
      [1, 2, 3],
      [1, 2, 3],
    ]);
    const tail = np.slice(base, "1, 1:");
    expect(tail.offset).toBe(4);
    expectArray(np.abs(np.neg(tail)), [5, 6]);
  });

  it("handle 0-d and empty arrays", () => {
    expectArray(np.exp(f64(0)), 1);
    const e = np.exp(np.zeros([0, 3]));
    expect(e.shape).toEqual([0, 3]);
    expect(e.size).toBe(0);
  });

  it("are available as methods", () => {
    const x = f64([-1, 4]);
    expectArray(x.abs().sqrt().neg(), [-1, -2]);
    expectArray(x.relu().exp().log(), [0, 4], { rtol: 1e-15 });
  });
});
