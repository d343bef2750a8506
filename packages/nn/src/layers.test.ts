import { GradientTape, checkGrads, noGrad } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import {
  Activation,
  BatchNorm1d,
  Dense,
  Dropout,
  Flatten,
  LeakyReLU,
  LogSoftmax,
  ReLU,
  Reshape,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
  getActivation,
  initializers,
} from "./index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });
const rows = (x: np.NDArray) => x.toArray() as number[][];

function expectClose(actual: np.NDArray, expected: number[][] | number[], tol = 1e-12) {
  const a = Array.from(actual.dataSync());
  const e = (expected as number[]).flat(2) as number[];
  expect(a.length).toBe(e.length);
  a.forEach((v, i) => expect(Math.abs(v - e[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e[i]!))));
}

describe("Dense", () => {
  const W = [
    [1, -2],
    [0.5, 3],
    [-1, 0.25],
  ];
  const b = [0.1, -0.2];
  const X = [
    [1, 2, 3],
    [-1, 0, 4],
  ];
  // y[i][j] = Σ_k X[i][k]·W[k][j] + b[j], by hand.
  const affine = X.map((r) => [0, 1].map((j) => r.reduce((s, v, k) => s + v * W[k]![j]!, 0) + b[j]!));

  function layer(options: ConstructorParameters<typeof Dense>[1] = {}) {
    const d = new Dense(2, { inputDim: 3, dtype: "float64", ...options });
    d.loadStateDict(options.useBias === false ? { kernel: f64(W) } : { kernel: f64(W), bias: f64(b) });
    return d;
  }

  it("computes x·W + b with a [in, units] kernel", () => {
    const d = layer();
    expect(d.kernel!.shape).toEqual([3, 2]);
    expect(d.bias!.shape).toEqual([2]);
    expectClose(d.call(f64(X)), affine);
  });

  it("applies its activation, by name or function", () => {
    expectClose(
      layer({ activation: "relu" }).call(f64(X)),
      affine.map((r) => r.map((v) => Math.max(v, 0))),
    );
    expectClose(
      layer({ activation: "sigmoid" }).call(f64(X)),
      affine.map((r) => r.map((v) => 1 / (1 + Math.exp(-v)))),
    );
    expectClose(
      layer({ activation: "tanh" }).call(f64(X)),
      affine.map((r) => r.map(Math.tanh)),
    );
    expectClose(
      layer({ activation: (x) => x.mul(3) }).call(f64(X)),
      affine.map((r) => r.map((v) => 3 * v)),
    );
    const sm = rows(layer({ activation: "softmax" }).call(f64(X)));
    sm.forEach((r, i) => {
      const e = affine[i]!.map(Math.exp);
      const s = e[0]! + e[1]!;
      expect(r[0]).toBeCloseTo(e[0]! / s, 14);
      expect(r[1]).toBeCloseTo(e[1]! / s, 14);
    });
  });

  it("can leave out the bias", () => {
    const d = layer({ useBias: false });
    expect(d.bias).toBeUndefined();
    expect(d.namedParameters().map(([n]) => n)).toEqual(["kernel"]);
    expectClose(
      d.call(f64(X)),
      affine.map((r) => r.map((v, j) => v - b[j]!)),
    );
  });

  it("builds lazily from the first input, like Keras", () => {
    const d = new Dense(4, { seed: 0 });
    expect(d.built).toBe(false);
    expect(d.parameters()).toEqual([]);
    expect(d.call(np.ones([7, 5])).shape).toEqual([7, 4]);
    expect(d.kernel!.shape).toEqual([5, 4]);
    expect(() => d.call(np.ones([7, 6]))).toThrow(
      /Dense\(4\): expected inputs with last axis 5, got shape \[7, 6\]/,
    );
  });

  it("works on extra leading axes and 1-D inputs", () => {
    const d = layer();
    expect(d.call(np.ones([4, 5, 3], "float64")).shape).toEqual([4, 5, 2]);
    expectClose(d.call(f64(X[0]!)), affine[0]!);
  });

  it("uses its initialisers (names or functions) and dtype", () => {
    const d = new Dense(3, {
      inputDim: 2,
      kernelInitializer: "ones",
      biasInitializer: initializers.constant(0.5),
    });
    expect(d.kernel!.dtype).toBe("float32");
    expect(d.kernel!.toArray()).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(d.bias!.toArray()).toEqual([0.5, 0.5, 0.5]);
    const seen: unknown[] = [];
    new Dense(3, {
      inputDim: 2,
      dtype: "float64",
      kernelInitializer: (shape, ctx) => {
        seen.push([shape, ctx.fanIn, ctx.fanOut, ctx.dtype]);
        return np.zeros(shape, ctx.dtype);
      },
    });
    expect(seen).toEqual([[[2, 3], 2, 3, "float64"]]);
    expect(() => new Dense(3, { kernelInitializer: "nope" as "zeros" })).toThrow(
      /unknown initializer 'nope'/,
    );
    expect(() => new Dense(0)).toThrow(/units/);
  });

  it("gets correct gradients from the tape", () => {
    const d = layer({ activation: "tanh" });
    checkGrads((x, w, bb) => np.tanh(np.add(np.matmul(x, w), bb)), [f64(X), d.kernel!, d.bias!]);
    const tape = new GradientTape();
    const y = tape.record(() => d.call(f64(X)).sum());
    const [gw, gb] = tape.gradient(y, [d.kernel!, d.bias!]) as np.NDArray[];
    // dy/dW[k][j] = Σ_i X[i][k]·(1 − tanh²(z[i][j])); dy/db[j] = Σ_i (1 − tanh²(z[i][j])).
    const dz = affine.map((r) => r.map((v) => 1 - Math.tanh(v) ** 2));
    expectClose(
      gb!,
      [0, 1].map((j) => dz[0]![j]! + dz[1]![j]!),
    );
    expectClose(
      gw!,
      [0, 1, 2].map((k) => [0, 1].map((j) => X[0]![k]! * dz[0]![j]! + X[1]![k]! * dz[1]![j]!)),
    );
  });
});

describe("Flatten and Reshape", () => {
  it("keep the batch axis", () => {
    const x = np.arange(24).reshape([2, 3, 4]);
    const f = new Flatten().call(x);
    expect(f.shape).toEqual([2, 12]);
    expect(Array.from(f.dataSync())).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(new Reshape([4, 3]).call(x).shape).toEqual([2, 4, 3]);
    expect(new Reshape([-1, 2]).call(x).shape).toEqual([2, 6, 2]);
    expect(new Flatten().call(np.zeros([0, 3, 4])).shape).toEqual([0, 12]);
    expect(() => new Reshape([5]).call(x)).toThrow(/reshape/);
    expect(() => new Reshape([-1, -1])).toThrow(/one -1/);
  });

  it("pass gradients through", () => {
    checkGrads(
      (x) => new Flatten().call(x).mul(np.arange(6, undefined, undefined, "float64")),
      [np.ones([2, 2, 3], "float64").reshape([2, 6]).reshape([2, 2, 3])],
    );
  });
});

describe("activation layers and functions", () => {
  const x = f64([[-3, -0.5, 0, 0.5, 3]]);
  const v = [-3, -0.5, 0, 0.5, 3];
  it("match their definitions", () => {
    expectClose(new ReLU().call(x), [v.map((t) => Math.max(0, t))]);
    expectClose(new LeakyReLU(0.1).call(x), [v.map((t) => (t > 0 ? t : 0.1 * t))]);
    expectClose(new LeakyReLU().call(x), [v.map((t) => (t > 0 ? t : 0.2 * t))]);
    expectClose(new Sigmoid().call(x), [v.map((t) => 1 / (1 + Math.exp(-t)))]);
    expectClose(new Tanh().call(x), [v.map(Math.tanh)]);
    const s = v.map(Math.exp).reduce((a, b) => a + b);
    expectClose(new Softmax().call(x), [v.map((t) => Math.exp(t) / s)]);
    expectClose(new LogSoftmax().call(x), [v.map((t) => t - Math.log(s))]);
    expectClose(new Activation("leakyRelu").call(x), [v.map((t) => (t > 0 ? t : 0.2 * t))]);
    expectClose(new Activation("linear").call(x), [v]);
    expectClose(getActivation("logSoftmax")(x), [v.map((t) => t - Math.log(s))]);
    expect(() => getActivation("swish" as "relu")).toThrow(/unknown activation 'swish'/);
  });

  it("softmax and logSoftmax stay finite at ±1e4", () => {
    const big = f64([[1e4, -1e4, 0]]);
    expect(rows(new Softmax().call(big))).toEqual([[1, 0, 0]]);
    expect(rows(new LogSoftmax().call(big))).toEqual([[0, -2e4, -1e4]]);
  });
});

describe("Dropout", () => {
  it("zeroes about `rate` of the elements and scales the rest by 1/(1 − rate)", () => {
    const d = new Dropout(0.25, { seed: 3 });
    const y = d.call(np.ones([200, 100], "float64"));
    const vals = Array.from(y.dataSync());
    expect(vals.every((t) => t === 0 || t === 1 / 0.75)).toBe(true);
    const zeroFrac = vals.filter((t) => t === 0).length / vals.length;
    // n = 20000: the standard error of the fraction is √(0.25·0.75/n) ≈ 0.003.
    expect(Math.abs(zeroFrac - 0.25)).toBeLessThan(0.015);
  });

  it("is seeded: the same seed gives the same masks, each call a new one", () => {
    const x = np.ones([10, 10]);
    const a = new Dropout(0.5, { seed: 11 });
    const b = new Dropout(0.5, { seed: 11 });
    const a1 = a.call(x).toArray();
    expect(b.call(x).toArray()).toEqual(a1);
    expect(a.call(x).toArray()).not.toEqual(a1);
  });

  it("is the identity in evaluation mode and with rate 0", () => {
    const x = np.ones([3, 3]);
    expect(new Dropout(0.5).eval().call(x)).toBe(x);
    expect(new Dropout(0).call(x)).toBe(x);
    expect(new Dropout(1).call(x).toArray()).toEqual(np.zeros([3, 3]).toArray());
    expect(() => new Dropout(1.5)).toThrow(/rate/);
  });

  it("passes gradients through the kept elements only, scaled", () => {
    const d = new Dropout(0.5, { seed: 5 });
    const x = np.ones([4, 6], "float64");
    const tape = new GradientTape();
    let y = x;
    const total = tape.record(() => {
      tape.watch(x);
      y = d.call(x);
      return y.sum();
    });
    const g = tape.gradient(total, x) as np.NDArray;
    expect(g.toArray()).toEqual(y.toArray()); // y = mask·x with x = 1, so dy/dx = mask
  });
});

describe("BatchNorm1d", () => {
  const data = [
    [1, 2, -1],
    [3, -2, 0.5],
    [0, 5, 2],
    [4, 1, -3],
    [2, 0, 1],
  ];
  const N = data.length;
  const col = (j: number) => data.map((r) => r[j]!);
  const mean = [0, 1, 2].map((j) => col(j).reduce((a, b) => a + b) / N);
  const biasedVar = [0, 1, 2].map((j) => col(j).reduce((a, b) => a + (b - mean[j]!) ** 2, 0) / N);

  it("normalises with batch statistics in training mode", () => {
    const bn = new BatchNorm1d(3, { dtype: "float64" });
    const y = bn.call(f64(data));
    expectClose(
      y,
      data.map((r) => r.map((v, j) => (v - mean[j]!) / Math.sqrt(biasedVar[j]! + 1e-5))),
      1e-12,
    );
  });

  it("updates running statistics with PyTorch's momentum and the unbiased variance", () => {
    const bn = new BatchNorm1d(3, { dtype: "float64", momentum: 0.3 });
    bn.call(f64(data));
    expectClose(
      bn.runningMean!,
      mean.map((m) => 0.7 * 0 + 0.3 * m),
    );
    const unbiased = biasedVar.map((v) => (v * N) / (N - 1));
    expectClose(
      bn.runningVar!,
      unbiased.map((v) => 0.7 * 1 + 0.3 * v),
    );
    bn.call(f64(data));
    expectClose(
      bn.runningMean!,
      mean.map((m) => 0.7 * (0.3 * m) + 0.3 * m),
    );
  });

  it("uses the running statistics (and gamma, beta) in evaluation mode, without updating them", () => {
    const bn = new BatchNorm1d(3, { dtype: "float64" });
    bn.loadStateDict({
      gamma: f64([2, 0.5, 1]),
      beta: f64([0.1, 0, -1]),
      runningMean: f64([1, -1, 0]),
      runningVar: f64([4, 0.25, 1]),
    });
    bn.eval();
    const y = bn.call(f64(data));
    const g = [2, 0.5, 1];
    const be = [0.1, 0, -1];
    const rm = [1, -1, 0];
    const rv = [4, 0.25, 1];
    expectClose(
      y,
      data.map((r) => r.map((v, j) => ((v - rm[j]!) / Math.sqrt(rv[j]! + 1e-5)) * g[j]! + be[j]!)),
    );
    expect(Array.from(bn.runningMean!.dataSync())).toEqual(rm);
    expect(bn.call(f64([[1, 2, 3]])).shape).toEqual([1, 3]); // batch of one is fine in eval
  });

  it("keeps running statistics as buffers: in the state dict, not parameters", () => {
    const bn = new BatchNorm1d(4);
    expect(bn.namedParameters().map(([n]) => n)).toEqual(["gamma", "beta"]);
    expect(bn.namedBuffers().map(([n]) => n)).toEqual(["runningMean", "runningVar"]);
    expect(Object.keys(bn.stateDict())).toEqual(["gamma", "beta", "runningMean", "runningVar"]);
    expect(new BatchNorm1d(4, { affine: false }).parameters()).toEqual([]);
  });

  it("normalises [N, C, L] over N and L", () => {
    const bn = new BatchNorm1d(2, { dtype: "float64" });
    const x = np
      .arange(12, undefined, undefined, "float64")
      .reshape([2, 2, 3])
      .mul(f64([[[1], [-2]]]));
    const y = bn.call(x);
    for (const c of [0, 1]) {
      const vals = [0, 1].flatMap((n) => [0, 1, 2].map((l) => (y.toArray() as number[][][])[n]![c]![l]!));
      const m = vals.reduce((a, b) => a + b) / 6;
      const v = vals.reduce((a, b) => a + (b - m) ** 2, 0) / 6;
      expect(Math.abs(m)).toBeLessThan(1e-12);
      expect(v).toBeCloseTo(1, 4);
    }
  });

  it("has correct gradients (x, gamma, beta)", () => {
    const bn = new BatchNorm1d(3, { dtype: "float64" });
    bn.loadStateDict({ ...bn.stateDict(), gamma: f64([1.5, -0.5, 2]), beta: f64([0.3, 0.1, -0.2]) });
    checkGrads((x) => bn.call(x).mul(f64([1, 2, 3])), [f64(data)], { atol: 1e-5, rtol: 1e-4 });
    const w = f64([1, -2, 0.5]);
    const tape = new GradientTape();
    const y = tape.record(() => bn.call(f64(data)).mul(w).sum());
    const [gg, gb] = tape.gradient(y, [bn.gamma!, bn.beta!]) as np.NDArray[];
    // dL/dbeta_j = Σ_i w_j; dL/dgamma_j = Σ_i w_j·x̂_ij (and Σ_i x̂_ij = 0).
    expectClose(gb!, [N * 1, N * -2, N * 0.5]);
    const xhat = data.map((r) => r.map((v, j) => (v - mean[j]!) / Math.sqrt(biasedVar[j]! + 1e-5)));
    expectClose(
      gg!,
      [1, -2, 0.5].map((wj, j) => wj * xhat.reduce((s, r) => s + r[j]!, 0)),
      1e-10,
    );
  });

  it("rejects bad shapes and a batch of one in training", () => {
    const bn = new BatchNorm1d(3);
    expect(() => bn.call(np.ones([4, 2]))).toThrow(/expected input \[N, 3\] or \[N, 3, L\], got \[4, 2\]/);
    expect(() => bn.call(np.ones([1, 3]))).toThrow(/more than one value per feature/);
  });

  it("trains inside a Sequential with noGrad running-stat updates (no tape nodes)", () => {
    const model = new Sequential([new Dense(4, { inputDim: 3 }), new BatchNorm1d(4)], { seed: 1 });
    const tape = new GradientTape();
    const loss = tape.record(() => model.call(f64(data)).square().mean());
    const grads = tape.gradient(loss, model.parameters()) as (np.NDArray | null)[];
    expect(grads.every((g) => g !== null && Array.from(g.dataSync()).every(Number.isFinite))).toBe(true);
    expect(noGrad(() => model.buffers().length)).toBe(2);
  });
});

describe("Sequential builds eagerly", () => {
  it("exposes every layer's weights before the first call when the first layer knows its input", () => {
    const model = new Sequential([new Dense(5, { inputDim: 3 }), new Dense(4), new Dense(2)], { seed: 0 });
    expect(model.parameters().length).toBe(6);
    expect(model.namedParameters().map(([n, p]) => `${n} ${p.shape.join("x")}`)).toEqual([
      "layers.0.kernel 3x5",
      "layers.0.bias 5",
      "layers.1.kernel 5x4",
      "layers.1.bias 4",
      "layers.2.kernel 4x2",
      "layers.2.bias 2",
    ]);
  });

  it("stays lazy when the input shape is unknown", () => {
    const model = new Sequential([new Dense(4), new Dense(2)]);
    expect(model.parameters().length).toBe(0);
    model.call(np.zeros([1, 7]));
    expect(model.parameters().length).toBe(4);
  });
});
