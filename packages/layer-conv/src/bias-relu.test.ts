import { grad } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { afterEach, describe, expect, it } from "vitest";
import { biasRelu, Conv2D } from "./index";

const values = (x: np.NDArray) => Array.from(x.dataSync());

afterEach(() => np.setBackend(np.jsBackend));

describe("biasRelu", () => {
  it.each(["float32", "float64"] as const)(
    "equals relu(y + bias) bit for bit (%s), ±0 and NaN included",
    (dtype) => {
      const rng = new np.Random(3);
      const y = rng.uniform([2, 3, 4, 5], -2, 2, dtype);
      const raw = y.dataSync();
      raw[0] = NaN;
      raw[1] = -0.25; // + bias 0.25 → 0
      raw[2] = -0;
      const b = np.array([0, 0.25, 0, -1, 3], { dtype });
      expect(values(biasRelu([y, b], {}))).toEqual(values(np.relu(np.add(y, b))));
    },
  );

  it("has the gradient of relu(y + bias): float64 central differences", () => {
    const rng = new np.Random(4);
    const y = rng.uniform([3, 2, 4], -1, 1, "float64");
    const b = rng.uniform([4], -0.5, 0.5, "float64");
    const w = rng.uniform([3, 2, 4], -1, 1, "float64");
    const loss = (yy: np.NDArray, bb: np.NDArray) => np.sum(np.mul(biasRelu([yy, bb], {}), w));
    const [gy, gb] = grad(loss, [0, 1])(y, b);
    const h = 1e-6;
    const central = (which: 0 | 1, i: number) => {
      const shifted = (d: number) => {
        const x = np
          .array(values(which === 0 ? y : b), { dtype: "float64" })
          .reshape([...(which === 0 ? y : b).shape]);
        x.dataSync()[i] = x.dataSync()[i]! + d;
        return which === 0 ? loss(x, b).item() : loss(y, x).item();
      };
      return (shifted(h) - shifted(-h)) / (2 * h);
    };
    values(gy!).forEach((g, i) => expect(g).toBeCloseTo(central(0, i), 6));
    values(gb!).forEach((g, i) => expect(g).toBeCloseTo(central(1, i), 6));
  });

  it("rejects a bias that does not match the last axis, naming the op and the shapes", () => {
    const y = np.zeros([2, 3]);
    expect(() => biasRelu([y, np.zeros([2])], {})).toThrow(
      "biasRelu: expected y [..., C] and a bias [C], got [2, 3] and [2]",
    );
    expect(() => biasRelu([y, np.zeros([3], "int32")], {})).toThrow("share one float dtype");
  });

  it("is what a Conv2D with a bias and ReLU runs, with the unfused layer's output", () => {
    let calls = 0;
    const counting: np.CustomKernel<Record<string, never>> = (inputs, p, out) => {
      calls++;
      biasRelu.primitive.definition.kernel(inputs, p, out);
    };
    np.setBackend({
      name: "counting",
      kernels: {},
      primitiveKernels: np.primitiveKernels(np.primitiveKernel(biasRelu, counting)),
    });
    const rng = new np.Random(5);
    const x = rng.uniform([2, 6, 6, 3], -1, 1, "float32");
    const fused = new Conv2D(4, 3, { padding: "same", activation: "relu", inputChannels: 3, seed: 1 });
    fused.bias!.assign(rng.uniform([4], -0.5, 0.5, "float32"));
    const linear = new Conv2D(4, 3, { padding: "same", inputChannels: 3, seed: 1 });
    linear.bias!.assign(fused.bias!);
    const out = fused.call(x);
    expect(calls).toBe(1);
    expect(values(out)).toEqual(values(np.relu(linear.call(x))));
  });
});
