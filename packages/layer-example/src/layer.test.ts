import { checkGrads, GradientTape } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { Dense, Sequential } from "@chainrule/nn";
import { describe, expect, it } from "vitest";
import { Swish, swish } from "./index";

const sigma = (v: number) => 1 / (1 + Math.exp(-v));
const xs = [-3, -1, -0.25, 0, 0.5, 2, 4];

describe("Swish", () => {
  it("matches x·sigmoid(βx) in closed form", () => {
    const x = np.array(xs, { dtype: "float64" });
    for (const beta of [0.5, 1, 1.7]) {
      const y = new Swish({ beta, dtype: "float64" }).call(x).toArray() as number[];
      y.forEach((v, i) => expect(v).toBeCloseTo(xs[i]! * sigma(beta * xs[i]!), 14));
    }
  });

  it("has β as its one parameter, or as a buffer when not trainable", () => {
    expect(new Swish().namedParameters().map(([n]) => n)).toEqual(["beta"]);
    const fixed = new Swish({ trainable: false });
    expect([fixed.parameters().length, fixed.namedBuffers().map(([n]) => n)]).toEqual([0, ["beta"]]);
    expect(String(new Swish({ beta: 2 }))).toBe("Swish(beta=2)");
  });

  it("passes checkGrads in float64 for x and β at orders 1 and 2", () => {
    const x = new np.Random(0).normal([3, 4], 0, 1.5, "float64");
    checkGrads(swish, [x, np.array(0.8, { dtype: "float64" })], { order: 2 });
  });

  it("gives dy/dβ = x²·σ(βx)(1 − σ(βx)) through the layer's Variable", () => {
    const layer = new Swish({ beta: 1.3, dtype: "float64" });
    const tape = new GradientTape();
    const y = tape.record(() => np.sum(layer.call(np.array(xs, { dtype: "float64" }))));
    const expected = xs.reduce((s, v) => s + v * v * sigma(1.3 * v) * (1 - sigma(1.3 * v)), 0);
    expect((tape.gradient(y, layer.beta) as np.NDArray).item()).toBeCloseTo(expected, 12);
  });

  it("trains inside a Sequential model", () => {
    const model = new Sequential([new Dense(8, { inputDim: 2 }), new Swish(), new Dense(1)], { seed: 1 });
    const tape = new GradientTape();
    const loss = tape.record(() => np.mean(np.square(model.call(np.ones([5, 2])))));
    const grads = tape.gradient(loss, model.parameters()) as (np.NDArray | null)[];
    expect(grads.every((g) => g !== null)).toBe(true);
    expect(model.namedParameters().map(([n]) => n)).toContain("layers.1.beta");
  });

  it("rejects integer dtypes by name", () => {
    expect(() => new Swish({ dtype: "int32" })).toThrow(/Swish: dtype/);
  });
});
