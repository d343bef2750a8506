import { GradientTape, checkGrads } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  meanSquaredError,
  softmaxCrossEntropy,
  sparseSoftmaxCrossEntropy,
} from "./index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });
const sigma = (x: number) => 1 / (1 + Math.exp(-x));
const finite = (x: np.NDArray) => Array.from(x.dataSync()).every(Number.isFinite);

function gradOf(f: (x: np.NDArray) => np.NDArray, x: np.NDArray): { value: np.NDArray; grad: np.NDArray } {
  const tape = new GradientTape();
  const value = tape.record(() => {
    tape.watch(x);
    return f(x);
  });
  return { value, grad: tape.gradient(value, x) as np.NDArray };
}

function expectAll(actual: np.NDArray, expected: number[], tol = 1e-12) {
  const a = Array.from(actual.dataSync());
  expect(a.length).toBe(expected.length);
  a.forEach((v, i) =>
    expect(Math.abs(v - expected[i]!), `element ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tol),
  );
}

describe("meanSquaredError", () => {
  const pred = f64([
    [1, 2],
    [3, 4],
  ]);
  const target = f64([
    [0, 2],
    [5, 1],
  ]);
  it("is the mean of squared differences over every element", () => {
    // Differences 1, 0, −2, 3 → squares 1, 0, 4, 9.
    expect(meanSquaredError(pred, target).item()).toBe(3.5);
    expect(meanSquaredError(pred, target, { reduction: "sum" }).item()).toBe(14);
    expect(meanSquaredError(pred, target, { reduction: "none" }).toArray()).toEqual([
      [1, 0],
      [4, 9],
    ]);
    expect(meanSquaredError(pred, target).shape).toEqual([]);
  });

  it("has the gradient 2(pred − target)/n", () => {
    const { grad } = gradOf((p) => meanSquaredError(p, target), pred);
    expectAll(grad, [0.5, 0, -1, 1.5]);
    checkGrads((p, t) => meanSquaredError(p, t), [pred, target]);
  });

  it("refuses shapes that would broadcast into a wrong loss", () => {
    expect(() => meanSquaredError(np.zeros([4, 1]), np.zeros([4]))).toThrow(
      /predictions \[4, 1\] and targets \[4\] must have the same shape/,
    );
  });
});

describe("binaryCrossEntropy (probabilities)", () => {
  it("matches −[t log p + (1 − t) log(1 − p)]", () => {
    const p = f64([0.9, 0.2, 0.6, 0.3]);
    const t = f64([1, 0, 1, 0]);
    const expected = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.6) + Math.log(0.7)) / 4;
    expect(binaryCrossEntropy(p, t).item()).toBeCloseTo(expected, 14);
    // Integer labels work too.
    expect(binaryCrossEntropy(p, np.array([1, 0, 1, 0], { dtype: "int32" })).item()).toBeCloseTo(
      expected,
      14,
    );
    checkGrads((q) => binaryCrossEntropy(q, t), [p]);
  });

  it("clips saturated probabilities to [ε, 1 − ε]: finite value and gradient", () => {
    const p = f64([0, 1, 1, 0]);
    const t = f64([1, 0, 1, 0]);
    const { value, grad } = gradOf((q) => binaryCrossEntropy(q, t), p);
    // p = 0 → ε and p = 1 → 1 − ε (so log(1 − p) is log(1 − (1 − ε)) in float64).
    const eps = 1e-7;
    expect(value.item()).toBeCloseTo(
      (-Math.log(eps) - Math.log(1 - (1 - eps)) - 2 * Math.log(1 - eps)) / 4,
      13,
    );
    expect(finite(grad)).toBe(true);
    expect(binaryCrossEntropy(p, t, { epsilon: 1e-3 }).item()).toBeCloseTo(
      (2 * -Math.log(1e-3) + 2 * -Math.log(1 - 1e-3)) / 4,
      12,
    );
  });

  it("stays finite when the probabilities come from sigmoid(±1e4), in float32 and float64", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const x = np.array([1e4, -1e4, 1e4, -1e4], { dtype });
      const t = np.array([1, 0, 0, 1], { dtype });
      const { value, grad } = gradOf((z) => binaryCrossEntropy(np.sigmoid(z), t), x);
      expect(finite(value) && finite(grad), dtype).toBe(true);
      // Two right answers cost ≈ −log(1 − ε) ≈ 1e-7, two wrong ones −log ε.
      expect(value.item()).toBeCloseTo((2 * -Math.log(1e-7)) / 4, dtype === "float32" ? 1 : 6);
    }
  });
});

describe("binaryCrossEntropyWithLogits", () => {
  it("matches the cross-entropy of sigmoid(x)", () => {
    const xs = [2, -1, 0.5, 0, -3];
    const ts = [1, 0, 0, 1, 0.25];
    const expected = xs.map((x, i) => -(ts[i]! * Math.log(sigma(x)) + (1 - ts[i]!) * Math.log(1 - sigma(x))));
    expectAll(binaryCrossEntropyWithLogits(f64(xs), f64(ts), { reduction: "none" }), expected, 1e-14);
    expect(binaryCrossEntropyWithLogits(f64(xs), f64(ts)).item()).toBeCloseTo(
      expected.reduce((a, b) => a + b) / 5,
      14,
    );
  });

  it("has gradient (sigmoid(x) − t)/n", () => {
    const x = f64([2, -1, 0.5, 0.1, -3]);
    const t = f64([1, 0, 0, 1, 0.25]);
    const { grad } = gradOf((z) => binaryCrossEntropyWithLogits(z, t), x);
    expectAll(
      grad,
      [2, -1, 0.5, 0.1, -3].map((v, i) => (sigma(v) - [1, 0, 0, 1, 0.25][i]!) / 5),
      1e-15,
    );
    checkGrads((z, tt) => binaryCrossEntropyWithLogits(z, tt), [x, t]);
  });

  it("is exact and finite at ±1e4 (value and gradient), in float32 and float64", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const x = np.array([1e4, -1e4, 1e4, -1e4], { dtype });
      const t = np.array([1, 0, 0, 1], { dtype });
      const { value, grad } = gradOf((z) => binaryCrossEntropyWithLogits(z, t), x);
      // Right answers cost 0; wrong ones |x| = 1e4.
      expect(value.item()).toBe(5000);
      expect(Array.from(grad.dataSync())).toEqual([0, 0, 0.25, -0.25]);
    }
  });
});

describe("softmaxCrossEntropy and sparseSoftmaxCrossEntropy", () => {
  const logits = [
    [1, 2, 3],
    [1, -1, 0],
    [0.5, 0.5, -2],
  ];
  const labels = [2, 0, 1];
  const onehot = labels.map((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0)));
  const softmaxRow = (r: number[]) => {
    const m = Math.max(...r);
    const e = r.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b);
    return e.map((v) => v / s);
  };
  const perSample = logits.map((r, i) => -Math.log(softmaxRow(r)[labels[i]!]!));

  it("are −log softmax(x)[label], averaged over the batch", () => {
    expectAll(softmaxCrossEntropy(f64(logits), f64(onehot), { reduction: "none" }), perSample, 1e-14);
    expectAll(sparseSoftmaxCrossEntropy(f64(logits), labels, { reduction: "none" }), perSample, 1e-14);
    const mean = perSample.reduce((a, b) => a + b) / 3;
    expect(softmaxCrossEntropy(f64(logits), f64(onehot)).item()).toBeCloseTo(mean, 14);
    expect(sparseSoftmaxCrossEntropy(f64(logits), np.array(labels, { dtype: "int32" })).item()).toBeCloseTo(
      mean,
      14,
    );
    expect(sparseSoftmaxCrossEntropy(f64(logits), np.array(labels, { dtype: "uint8" })).item()).toBeCloseTo(
      mean,
      14,
    );
    expect(sparseSoftmaxCrossEntropy(f64(logits), labels, { reduction: "sum" }).item()).toBeCloseTo(
      mean * 3,
      13,
    );
  });

  it("accept soft targets", () => {
    const t = [0.2, 0.3, 0.5];
    const logp = softmaxRow(logits[0]!).map(Math.log);
    expect(softmaxCrossEntropy(f64([logits[0]!]), f64([t])).item()).toBeCloseTo(
      -t.reduce((s, v, i) => s + v * logp[i]!, 0),
      14,
    );
  });

  it("have gradient (softmax(x) − t)/N", () => {
    const expected = logits.flatMap((r, i) => softmaxRow(r).map((p, c) => (p - onehot[i]![c]!) / 3));
    expectAll(gradOf((z) => softmaxCrossEntropy(z, f64(onehot)), f64(logits)).grad, expected, 1e-15);
    expectAll(gradOf((z) => sparseSoftmaxCrossEntropy(z, labels), f64(logits)).grad, expected, 1e-15);
    checkGrads(
      (z, t) => softmaxCrossEntropy(z, t),
      [
        f64(logits),
        f64([
          [0.2, 0.3, 0.5],
          [1, 0, 0],
          [0, 0.5, 0.5],
        ]),
      ],
    );
    checkGrads((z) => sparseSoftmaxCrossEntropy(z, labels), [f64(logits)]);
  });

  it("are finite and exact at ±1e4 (value and gradient), in float32 and float64", () => {
    const big = [
      [1e4, -1e4, 0],
      [-1e4, 1e4, 0],
    ];
    for (const dtype of ["float32", "float64"] as const) {
      const x = np.array(big, { dtype });
      const t = np.array(
        [
          [1, 0, 0],
          [1, 0, 0],
        ],
        { dtype },
      );
      // The first sample is right (loss 0), the second wrong by 2e4.
      for (const [name, f] of [
        ["dense", (z: np.NDArray) => softmaxCrossEntropy(z, t)],
        ["sparse", (z: np.NDArray) => sparseSoftmaxCrossEntropy(z, [0, 0])],
      ] as const) {
        const { value, grad } = gradOf(f, x);
        expect(value.item(), `${name} ${dtype}`).toBe(1e4);
        expect(Array.from(grad.dataSync()), `${name} ${dtype}`).toEqual([0, 0, 0, -0.5, 0.5, 0]);
      }
    }
  });

  it("work on extra leading axes", () => {
    const x = f64([logits, logits]); // [2, 3, 3]
    const mean = perSample.reduce((a, b) => a + b) / 3;
    expect(sparseSoftmaxCrossEntropy(x, np.array([labels, labels], { dtype: "int32" })).item()).toBeCloseTo(
      mean,
      14,
    );
    expect(softmaxCrossEntropy(x, f64([onehot, onehot])).item()).toBeCloseTo(mean, 14);
  });

  it("reject bad labels and shapes clearly", () => {
    expect(() => sparseSoftmaxCrossEntropy(f64(logits), [2, 3, 0])).toThrow(
      /label 3 at index 1 is not an integer in \[0, 3\)/,
    );
    expect(() => sparseSoftmaxCrossEntropy(f64(logits), [0.5, 1, 0])).toThrow(/label 0.5 at index 0/);
    expect(() => sparseSoftmaxCrossEntropy(f64(logits), [0, 1])).toThrow(
      /need labels of shape \[3\], got \[2\]/,
    );
    expect(() => softmaxCrossEntropy(f64(logits), f64([1, 0, 0]))).toThrow(/same shape/);
  });
});
