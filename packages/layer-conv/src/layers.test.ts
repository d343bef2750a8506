import { GradientTape } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { Dense, Flatten, loadWeights, manualSeed, saveWeights, Sequential } from "@chainrule/nn";
import { describe, expect, it } from "vitest";
import { Conv2D, conv2d, fashionCnn, GlobalAvgPool2D, MaxPool2D } from "./index";

describe("Conv2D", () => {
  it("holds a [kh, kw, C, filters] kernel and a [filters] bias, found by Module", () => {
    const conv = new Conv2D(4, 3, { inputChannels: 2, seed: 0 });
    expect(conv.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([
      ["kernel", [3, 3, 2, 4]],
      ["bias", [4]],
    ]);
    expect(conv.countParams().total).toBe(3 * 3 * 2 * 4 + 4);
    expect(
      new Conv2D(4, [1, 2], { useBias: false, inputChannels: 3 }).namedParameters().map(([n]) => n),
    ).toEqual(["kernel"]);
  });

  it("builds lazily from the first batch, or at construction from inputShape", () => {
    const lazy = new Conv2D(8, 3, { padding: "same" });
    expect(lazy.built).toBe(false);
    expect(lazy.call(np.zeros([2, 5, 5, 3])).shape).toEqual([2, 5, 5, 8]);
    expect(lazy.kernel!.shape).toEqual([3, 3, 3, 8]);
    const eager = new Conv2D(8, 3, { inputShape: [5, 5, 3] });
    expect([eager.built, eager.inputShape()]).toEqual([true, [5, 5, 3]]);
    expect(() => new Conv2D(8, 3, { inputShape: [5, 5] })).toThrow(
      /Conv2D\(8, 3×3\): inputShape must be \[H, W, C\]/,
    );
  });

  it("initialises with Keras's fans (kh·kw·in, kh·kw·out) and is reproducible from a seed", () => {
    const a = new Conv2D(16, 3, { inputChannels: 4, seed: 3 });
    const limit = Math.sqrt(6 / (9 * 4 + 9 * 16)); // glorotUniform
    const w = [...a.kernel!.dataSync()];
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * limit);
    expect([...a.bias!.dataSync()].every((v) => v === 0)).toBe(true);
    expect([...new Conv2D(16, 3, { inputChannels: 4, seed: 3 }).kernel!.dataSync()]).toEqual(w);
    const he = new Conv2D(16, 3, {
      inputChannels: 4,
      kernelInitializer: "heNormal",
      biasInitializer: "ones",
      seed: 1,
    });
    expect([...he.bias!.dataSync()].every((v) => v === 1)).toBe(true);
  });

  it("unseeded layers follow @chainrule/nn's manualSeed; reseed redraws in place", () => {
    manualSeed(123);
    const a = new Conv2D(2, 2, { inputChannels: 1 });
    manualSeed(123);
    const b = new Conv2D(2, 2, { inputChannels: 1 });
    expect([...a.kernel!.dataSync()]).toEqual([...b.kernel!.dataSync()]);
    const kernel = a.kernel;
    a.reseed(7);
    expect(a.kernel).toBe(kernel);
    expect([...a.kernel!.dataSync()]).toEqual([
      ...new Conv2D(2, 2, { inputChannels: 1, seed: 7 }).kernel!.dataSync(),
    ]);
  });

  it("computes activation(conv2d(x, kernel) + bias), and the tape reaches both parameters", () => {
    const conv = new Conv2D(3, 2, {
      strides: 2,
      padding: "same",
      activation: "relu",
      inputChannels: 2,
      seed: 0,
    });
    conv.bias!.assign(np.array([0.1, -0.2, 0.3]));
    const x = new np.Random(1).normal([2, 5, 4, 2]);
    const want = np.relu(conv2d(x, conv.kernel!, { strides: 2, padding: "same", bias: conv.bias! }));
    expect(conv.call(x).toArray()).toEqual(want.toArray());
    const tape = new GradientTape();
    const loss = tape.record(() => np.sum(np.square(conv.call(x))));
    const [gk, gb] = tape.gradient(loss, conv.parameters()) as np.NDArray[];
    expect([gk!.shape, gb!.shape]).toEqual([[2, 2, 2, 3], [3]]);
  });

  it("names itself and the shapes in errors", () => {
    const conv = new Conv2D(4, 3, { inputChannels: 3 });
    expect(() => conv.call(np.zeros([1, 8, 8, 1]))).toThrow(
      "Conv2D(4, 3×3): expected 3 input channels (last axis, NHWC), got shape [1, 8, 8, 1]",
    );
    expect(() => conv.call(np.zeros([8, 8, 3]))).toThrow(
      "Conv2D(4, 3×3): expected an NHWC input [N, H, W, C] (4-D), got shape [8, 8, 3]",
    );
    expect(() => conv.call(np.zeros([1, 2, 2, 3]))).toThrow(
      /Conv2D\(4, 3×3\): input shape \[1, 2, 2, 3\] is smaller/,
    );
    expect(() => new Conv2D(0, 3)).toThrow(/Conv2D: filters must be a positive integer/);
    expect(() => new Conv2D(4, [3, 0])).toThrow(/Conv2D: kernel size must be a positive integer/);
  });

  it("prints its configuration", () => {
    expect(
      String(new Conv2D(4, 3, { strides: 2, padding: "same", activation: "relu", inputChannels: 1 })),
    ).toBe("Conv2D(inChannels=1, 4, kernelSize=3×3, strides=2×2, padding=same, activation=relu)");
    expect(String(new MaxPool2D(3, { strides: 1 }))).toBe("MaxPool2D(poolSize=3×3, strides=1×1)");
  });
});

describe("models", () => {
  it("fashionCnn: two Conv+MaxPool blocks and a Dense head, 421,642 parameters, summary() works", () => {
    const model = fashionCnn(0);
    expect(model.countParams().total).toBe(320 + 18_496 + 401_536 + 1_290);
    const table = model.summary(undefined, { print: false });
    expect(table).toMatch(/conv2_?d \(Conv2D\)\s+\[null, 28, 28, 32\]\s+320/);
    expect(table).toMatch(/max_pool2_?d_1 \(MaxPool2D\)\s+\[null, 7, 7, 64\]\s+0/);
    expect(table).toMatch(/Total params: 421,642/);
    expect(model.call(np.zeros([3, 28, 28])).shape).toEqual([3, 10]);
    // One seed reproduces the model.
    expect([...fashionCnn(0).parameters()[0]!.dataSync()]).toEqual([...model.parameters()[0]!.dataSync()]);
  });

  it("a conv model saves and loads its weights as safetensors", () => {
    const make = (seed: number) =>
      new Sequential(
        [
          new Conv2D(4, 3, { inputShape: [6, 6, 2], activation: "relu" }),
          new GlobalAvgPool2D(),
          new Flatten(),
          new Dense(2, { inputDim: 4 }),
        ],
        { seed },
      );
    const a = make(1);
    const b = make(2);
    const x = new np.Random(0).normal([2, 6, 6, 2]);
    expect(b.call(x).toArray()).not.toEqual(a.call(x).toArray());
    loadWeights(b, saveWeights(a));
    expect(b.call(x).toArray()).toEqual(a.call(x).toArray());
  });
});
