import { checkGrads, GradientTape } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import {
  AvgPool2D,
  avgPool2d,
  GlobalAvgPool2D,
  globalAvgPool2d,
  MaxPool2D,
  maxPool2d,
  maxPoolGather,
  maxPoolScatter,
  windowGeometry,
  type Padding,
} from "./index";

interface Config {
  p: number;
  s: number;
  padding: Padding;
}

/** Direct-loop pooling with TensorFlow's padding; padded positions are skipped (not in the max or the mean). */
function referencePool(x: np.NDArray, c: Config, kind: "max" | "avg"): np.NDArray {
  const [n, h, w, ch] = x.shape as [number, number, number, number];
  const axis = (size: number): [number, number] => {
    if (c.padding === "valid") return [Math.ceil((size - c.p + 1) / c.s), 0];
    const out = Math.ceil(size / c.s);
    return [out, Math.floor(Math.max((out - 1) * c.s + c.p - size, 0) / 2)];
  };
  const [oh, pt] = axis(h);
  const [ow, pl] = axis(w);
  const xs = x.toArray() as number[][][][];
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let k = 0; k < ch; k++) {
          const vals: number[] = [];
          for (let dy = 0; dy < c.p; dy++)
            for (let dx = 0; dx < c.p; dx++) {
              const iy = oy * c.s - pt + dy;
              const ix = ox * c.s - pl + dx;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) vals.push(xs[i]![iy]![ix]![k]!);
            }
          out.push(kind === "max" ? Math.max(...vals) : vals.reduce((a, b) => a + b, 0) / vals.length);
        }
  return np.array(out, { dtype: "float64", shape: [n, oh, ow, ch] });
}

function expectClose(a: np.NDArray, b: np.NDArray, tol = 1e-12): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++) expect(Math.abs(Number(x[i]) - Number(y[i]))).toBeLessThanOrEqual(tol);
}

const grid: Config[] = [];
for (const p of [1, 2, 3])
  for (const s of [1, 2, 3]) for (const padding of ["same", "valid"] as const) grid.push({ p, s, padding });
const name = (c: Config) => `pool ${c.p} stride ${c.s} ${c.padding}`;
const opts = (c: Config) => ({ poolSize: c.p, strides: c.s, padding: c.padding });

describe("pooling forward matches direct loops", () => {
  const rng = new np.Random(5);
  for (const ch of [1, 2, 3]) {
    it(`max and average, pool 1–3, stride 1–3 (overlapping and not), same and valid, ${ch} channel(s)`, () => {
      const x = rng.normal([2, 7, 6, ch], 0, 1, "float64");
      for (const c of grid) {
        expectClose(maxPool2d(x, opts(c)), referencePool(x, c, "max"));
        expectClose(avgPool2d(x, opts(c)), referencePool(x, c, "avg"));
      }
    });
  }

  it("max pooling over negative inputs with same padding ignores the padding", () => {
    const x = np.full([1, 3, 3, 1], -5, "float64");
    expect(maxPool2d(x, { padding: "same" }).toArray()).toEqual([
      [
        [[-5], [-5]],
        [[-5], [-5]],
      ],
    ]);
    expect(avgPool2d(x, { padding: "same" }).toArray()).toEqual([
      [
        [[-5], [-5]],
        [[-5], [-5]],
      ],
    ]);
  });

  it("layers give the same results, the stride defaults to the pool size, and float32 stays float32", () => {
    const x = rng.normal([2, 8, 8, 3], 0, 1, "float32");
    expect(new MaxPool2D().call(x).shape).toEqual([2, 4, 4, 3]);
    expect(new MaxPool2D(3, { strides: 1, padding: "same" }).call(x).shape).toEqual([2, 8, 8, 3]);
    expect(new AvgPool2D([2, 4]).call(x).shape).toEqual([2, 4, 2, 3]);
    expect(new MaxPool2D().call(x).dtype).toBe("float32");
    const x64 = np.cast(x, "float64");
    expectClose(
      np.cast(new AvgPool2D(3, { strides: 2 }).call(x), "float64"),
      referencePool(x64, { p: 3, s: 2, padding: "valid" }, "avg"),
      1e-6,
    );
    expect(new GlobalAvgPool2D().call(x).shape).toEqual([2, 3]);
    expect(new GlobalAvgPool2D({ keepdims: true }).call(x).shape).toEqual([2, 1, 1, 3]);
  });

  it("global average pooling is the mean over H and W", () => {
    const x = rng.normal([2, 3, 4, 2], 0, 1, "float64");
    const xs = x.toArray() as number[][][][];
    const want = xs.map((img) => [0, 1].map((k) => img.flat().reduce((s, px) => s + px[k]!, 0) / 12));
    expectClose(globalAvgPool2d(x), np.array(want, { dtype: "float64" }));
  });

  it("names the layer and the shapes in errors", () => {
    expect(() => new MaxPool2D(2).call(np.zeros([4, 4, 1]))).toThrow(
      /MaxPool2D\(2×2\): expected an NHWC input \[N, H, W, C\] \(4-D\), got shape \[4, 4, 1\]/,
    );
    expect(() => new AvgPool2D(5).call(np.zeros([1, 4, 4, 1]))).toThrow(
      /AvgPool2D\(5×5\): input shape \[1, 4, 4, 1\] is smaller than the 5×5 window with padding "valid"/,
    );
    expect(() => new GlobalAvgPool2D().call(np.zeros([4, 4]))).toThrow(
      /GlobalAvgPool2D: expected an NHWC input/,
    );
    expect(() => new MaxPool2D(0)).toThrow(/MaxPool2D: pool size must be a positive integer/);
  });
});

describe("pooling gradients", () => {
  it("max pooling routes each gradient to its window's argmax (hand-checked)", () => {
    // One 4×4 channel, 2×2 windows: the maxima are 6 (row 1, col 1), 8 (0, 3), 14 (3, 0), 16 (2, 2).
    const x = np.array([1, 2, 3, 8, 5, 6, 7, 4, 9, 10, 16, 12, 14, 13, 11, 15], {
      dtype: "float64",
      shape: [1, 4, 4, 1],
    });
    const tape = new GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return maxPool2d(x);
    });
    expect(y.toArray()).toEqual([
      [
        [[6], [8]],
        [[14], [16]],
      ],
    ]);
    const g = tape.gradient(y, x, {
      outputGradients: np.array([10, 20, 30, 40], { dtype: "float64", shape: [1, 2, 2, 1] }),
    });
    expect((g as np.NDArray).reshape([4, 4]).toArray()).toEqual([
      [0, 0, 0, 20],
      [0, 10, 0, 0],
      [0, 0, 40, 0],
      [30, 0, 0, 0],
    ]);
  });

  it("ties go to the first maximum in window order; overlapping windows add up at a shared argmax", () => {
    const tied = np.array([3, 3, 3, 3], { dtype: "float64", shape: [1, 2, 2, 1] });
    const tape = new GradientTape();
    const y = tape.record(() => {
      tape.watch(tied);
      return maxPool2d(tied);
    });
    expect((tape.gradient(y, tied) as np.NDArray).reshape([4]).toArray()).toEqual([1, 0, 0, 0]);

    // 3×3 input, 2×2 windows with stride 1: the centre 9 is the maximum of all four windows.
    const x = np.array([1, 2, 3, 4, 9, 5, 6, 7, 8], { dtype: "float64", shape: [1, 3, 3, 1] });
    const t2 = new GradientTape();
    const y2 = t2.record(() => {
      t2.watch(x);
      return maxPool2d(x, { strides: 1 });
    });
    expect((t2.gradient(y2, x) as np.NDArray).reshape([3, 3]).toArray()).toEqual([
      [0, 0, 0],
      [0, 4, 0],
      [0, 0, 0],
    ]);
  });

  it.each(grid.filter((c) => c.p > 1).map((c) => [name(c), c] as const))(
    "checkGrads order 1 in float64 for max and average pooling: %s",
    (_, c) => {
      // Distinct values, far apart compared with the finite-difference step: no argmax changes.
      const perm = new np.Random(c.p * 10 + c.s).permutation(2 * 5 * 6 * 2);
      const x = np.array(
        Array.from(perm, (v) => v / 10),
        { dtype: "float64", shape: [2, 5, 6, 2] },
      );
      checkGrads((xi) => maxPool2d(xi!, opts(c)), [x], { order: 1 });
      checkGrads((xi) => avgPool2d(xi!, opts(c)), [x], { order: 1 });
    },
  );

  it("second order through max pooling (a product of two pooled maps) and average pooling", () => {
    const perm = new np.Random(1).permutation(36);
    const x = np.array(
      Array.from(perm, (v) => v / 7 - 2),
      { dtype: "float64", shape: [1, 6, 6, 1] },
    );
    checkGrads((xi) => np.square(maxPool2d(xi!, { poolSize: 3, strides: 2, padding: "same" })), [x], {
      order: 2,
    });
    checkGrads((xi) => np.square(avgPool2d(xi!, { poolSize: 3, strides: 2, padding: "same" })), [x], {
      order: 2,
    });
  });

  it("global average pooling spreads 1/(H·W) of each gradient over its channel", () => {
    const x = new np.Random(2).normal([2, 3, 4, 2], 0, 1, "float64");
    checkGrads((xi) => globalAvgPool2d(xi!), [x], { order: 2 });
    const tape = new GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return globalAvgPool2d(x);
    });
    const g = tape.gradient(y, x) as np.NDArray;
    expect([...g.dataSync()].every((v) => Math.abs(v - 1 / 12) < 1e-15)).toBe(true);
  });

  it("maxPoolGather and maxPoolScatter are adjoint in their second input", () => {
    const rng = new np.Random(9);
    const sel = rng.normal([2, 5, 5, 3], 0, 1, "float64");
    const w = windowGeometry(sel.shape, { kernelSize: 3, strides: 2, padding: "same" }, "t");
    const v = rng.normal(sel.shape, 0, 1, "float64");
    const g = rng.normal([2, w.outH, w.outW, 3], 0, 1, "float64");
    const lhs = np.sum(np.mul(maxPoolGather([sel, v], w), g)).item();
    const rhs = np.sum(np.mul(v, maxPoolScatter([sel, g], w))).item();
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12);
  });
});
