import { describe, expect, it } from "vitest";
import { backendName } from "../testing/backend";
import { expectArray, expectError, expectValues, randomValues, rng, values } from "../testing/helpers";
import { reduceRef } from "../testing/reference";
import * as np from "../index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });
const LN2 = Math.log(2);

describe(`composite elementwise ops [${backendName}]`, () => {
  it("leakyRelu scales the negative part by alpha (default 0.2)", () => {
    expectArray(np.leakyRelu(f64([-2, 0, 3])), [-0.4, 0, 3], { rtol: 1e-15 });
    expectArray(np.leakyRelu(f64([-2, 5]), 0.01), [-0.02, 5], { rtol: 1e-15 });
    expect(np.leakyRelu(np.array([-1])).dtype).toBe("float32");
  });

  it("clip limits to [lo, hi], with either bound optional or an array, and keeps NaN", () => {
    const x = f64([-3, -1, 0, 2, 5, NaN]);
    expectArray(np.clip(x, -1, 2), [-1, -1, 0, 2, 2, NaN]);
    expectArray(np.clip(x, 0), [0, 0, 0, 2, 5, NaN]);
    expectArray(np.clip(x, undefined, 1), [-3, -1, 0, 1, 1, NaN]);
    expectArray(np.clip(f64([[1, 5]]), f64([[2], [0]]), 3), [
      [2, 3],
      [1, 3],
    ]);
    expect(np.clip(np.array([1, 2], { dtype: "int32" }), 0, 1).dtype).toBe("int32");
  });

  it("detach shares the buffer and is invisible to recorders", () => {
    const x = f64([1, 2]);
    const seen: string[] = [];
    const rec = { record: (p: np.Primitive) => void seen.push(p.name) };
    np.pushRecorder(rec);
    let d: np.NDArray;
    try {
      d = np.detach(x);
    } finally {
      np.popRecorder(rec);
    }
    expect(d.buffer).toBe(x.buffer);
    expect(d).not.toBe(x);
    expect(seen).toEqual([]);
  });
});

describe(`var and std [${backendName}]`, () => {
  const x = f64([
    [1, 2, 3, 4],
    [2, 2, 2, 2],
  ]);

  it("match hand-worked values, population (ddof 0) and sample (ddof 1)", () => {
    // Row 0: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5.
    expectArray(np.variance(x, 1), [1.25, 0], { rtol: 1e-15 });
    expectArray(np.variance(x, 1, false, 1), [5 / 3, 0], { rtol: 1e-15 });
    expectArray(np.std(x, 1), [Math.sqrt(1.25), 0], { rtol: 1e-15 });
    expectArray(np.std(x, -1, true, 1), [[Math.sqrt(5 / 3)], [0]], { rtol: 1e-15 });
    // All 8 values: mean 2.25, sum of squares of deviations 5.5.
    expectArray(np.variance(x), 5.5 / 8, { rtol: 1e-15 });
    expectArray(np.var(x, undefined, false, 1), 5.5 / 7, { rtol: 1e-15 });
    expectArray(np.variance(x, 0), [0.25, 0, 0.25, 1], { rtol: 1e-15 });
    expectArray(x.var(1), [1.25, 0], { rtol: 1e-15 });
    expectArray(x.std(), Math.sqrt(5.5 / 8), { rtol: 1e-15 });
  });

  it("are accurate for a large offset (two-pass, not E[x²] − E[x]²)", () => {
    expectArray(np.variance(f64([1e9 + 1, 1e9 + 2, 1e9 + 3])), 2 / 3, { rtol: 1e-9 });
  });

  it("give float32 for integer input, and agree with a naive reference over axes", () => {
    expect(np.variance(np.array([1, 2], { dtype: "int32" })).dtype).toBe("float32");
    const next = rng(11);
    const a = np.array(randomValues(next, 3 * 4 * 5), { dtype: "float64", shape: [3, 4, 5] });
    for (const axes of [[0], [1, 2], [0, 2]]) {
      const ref = reduceRef(a, axes, (v) => {
        const m = v.reduce((p, q) => p + q, 0) / v.length;
        return v.reduce((p, q) => p + (q - m) ** 2, 0) / (v.length - 1);
      });
      expectValues(np.variance(a, axes, true, 1), ref.values, { rtol: 1e-12 });
    }
  });
});

describe(`logsumexp [${backendName}]`, () => {
  it("matches log(sum(exp(x))) where that is finite", () => {
    const x = f64([
      [0, LN2, Math.log(5)],
      [1, 1, 1],
    ]);
    expectArray(np.logsumexp(x, 1), [Math.log(8), 1 + Math.log(3)], { rtol: 1e-15 });
    expectArray(
      np.logsumexp(x, 0, true),
      [[Math.log(1 + Math.E), Math.log(2 + Math.E), Math.log(5 + Math.E)]],
      {
        rtol: 1e-15,
      },
    );
    expectArray(np.logsumexp(f64([0, 0, 0, 0])), Math.log(4), { rtol: 1e-15 });
  });

  it("is stable at ±1e4 (where exp overflows or underflows)", () => {
    const x = f64([
      [1e4, 1e4],
      [-1e4, -1e4],
      [1e4, 0],
    ]);
    expectArray(np.logsumexp(x, 1), [1e4 + LN2, -1e4 + LN2, 1e4], { rtol: 1e-15 });
    const x32 = np.array([
      [1e4, 1e4],
      [-1e4, -1e4],
    ]);
    const r = np.logsumexp(x32, -1);
    expect(r.dtype).toBe("float32");
    expectValues(r, [Math.fround(1e4 + LN2), Math.fround(-1e4 + LN2)]);
  });

  it("gives -inf for all -inf rows and +inf when a row holds +inf, not NaN", () => {
    const x = f64([
      [-Infinity, -Infinity],
      [Infinity, 1],
      [-Infinity, 0],
      [NaN, 1],
    ]);
    expectArray(np.logsumexp(x, 1), [-Infinity, Infinity, 0, NaN]);
    expectArray(np.logsumexp(np.zeros([2, 0], "float64"), 1), [-Infinity, -Infinity]);
  });

  it("names itself in axis errors", () => {
    expectError(() => np.logsumexp(f64([1]), 1), RangeError, "logsumexp", "1");
  });
});

describe(`softmax and logSoftmax [${backendName}]`, () => {
  it("matches exp(x)/sum(exp(x)) on a hand-worked row", () => {
    // exp: 1, 2, 5 → /8
    expectArray(np.softmax(f64([0, LN2, Math.log(5)])), [1 / 8, 2 / 8, 5 / 8], { rtol: 1e-15 });
    expectArray(
      np.logSoftmax(f64([0, LN2, Math.log(5)])),
      [-Math.log(8), LN2 - Math.log(8), Math.log(5 / 8)],
      {
        rtol: 1e-14,
      },
    );
  });

  it("rows sum to 1, also for huge logits, and log(softmax) = logSoftmax", () => {
    const next = rng(5);
    const x = np.array(
      randomValues(next, 6 * 10, -30, 30).map((v, i) => (i < 10 ? v + 1e4 : v)),
      { dtype: "float64", shape: [6, 10] },
    );
    const s = np.softmax(x);
    expectValues(np.sum(s, 1), new Array(6).fill(1), { rtol: 1e-14 });
    expect(values(s).every((v) => v >= 0 && v <= 1)).toBe(true);
    expectValues(np.logSoftmax(x), values(np.log(s)), { rtol: 1e-10, atol: 1e-12 });
    const s32 = np.softmax(np.array([[1e4, 1e4 - 1, -1e4]]), -1);
    expect(s32.dtype).toBe("float32");
    const e = Math.exp(-1);
    expectValues(s32, [1 / (1 + e), e / (1 + e), 0], { rtol: 1e-6 });
    expectValues(np.sum(np.softmax(x, 0), 0), new Array(10).fill(1), { rtol: 1e-14 });
  });

  it("name themselves in axis errors", () => {
    expectError(() => np.softmax(f64([1, 2]), 1), RangeError, "softmax", "1");
    expectError(() => np.logSoftmax(f64([1, 2]), -2), RangeError, "logSoftmax", "-2");
  });
});
