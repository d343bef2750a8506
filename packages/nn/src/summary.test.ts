import * as np from "@chainrule/ndarray";
import { describe, expect, it, vi } from "vitest";
import { BatchNorm1d, Dense, Dropout, Flatten, Module, Sequential } from "./index";

const fashionMlp = () =>
  new Sequential(
    [
      new Flatten(),
      new Dense(256, { activation: "relu" }),
      new Dense(128, { activation: "relu" }),
      new Dense(64, { activation: "relu" }),
      new Dense(32, { activation: "relu" }),
      new Dense(10),
    ],
    { seed: 0 },
  );

describe("summary", () => {
  it("reports 244,522 parameters for the Fashion-MNIST MLP (784-256-128-64-32-10)", () => {
    const text = fashionMlp().summary([28, 28], { print: false });
    // Parameters per layer: in·out + out.
    const perLayer = [
      [784, 256],
      [256, 128],
      [128, 64],
      [64, 32],
      [32, 10],
    ].map(([i, o]) => i! * o! + o!);
    expect(perLayer.reduce((a, b) => a + b)).toBe(244522);
    expect(text).toBe(
      [
        'Model: "Sequential"',
        "_".repeat(67),
        " Layer (type)                 Output Shape                 Param #",
        "=".repeat(67),
        " flatten (Flatten)            [null, 784]                        0",
        " dense (Dense)                [null, 256]                  200,960",
        " dense_1 (Dense)              [null, 128]                   32,896",
        " dense_2 (Dense)              [null, 64]                     8,256",
        " dense_3 (Dense)              [null, 32]                     2,080",
        " dense_4 (Dense)              [null, 10]                       330",
        "=".repeat(67),
        "Total params: 244,522 (955.16 KB)",
        "Trainable params: 244,522 (955.16 KB)",
        "Non-trainable params: 0 (0.00 B)",
        "_".repeat(67),
      ].join("\n"),
    );
  });

  it("prints with console.log by default (as Keras) and returns the text", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const m = new Sequential([new Dense(3, { inputDim: 2 })]);
      const text = m.summary();
      expect(log).toHaveBeenCalledWith(text);
      expect(text).toContain("[null, 3]");
    } finally {
      log.mockRestore();
    }
  });

  it("counts buffers as non-trainable and uses the first layer's inputDim", () => {
    const m = new Sequential([
      new Dense(8, { inputDim: 4 }),
      new BatchNorm1d(8),
      new Dropout(0.5),
      new Dense(2),
    ]);
    const text = m.summary(undefined, { print: false });
    expect(text).toContain(" batch_norm1d (BatchNorm1d)   [null, 8]                         32");
    expect(text).toContain(" dropout (Dropout)            [null, 8]                          0");
    expect(text).toContain("Total params: 90 (360.00 B)");
    expect(text).toContain("Trainable params: 74 (296.00 B)");
    expect(text).toContain("Non-trainable params: 16 (64.00 B)");
  });

  it("leaves the model as it was: modes, running statistics, dropout generator", () => {
    const m = new Sequential([new Dense(4, { inputDim: 3 }), new BatchNorm1d(4), new Dropout(0.5)], {
      seed: 3,
    });
    const twin = new Sequential([new Dense(4, { inputDim: 3 }), new BatchNorm1d(4), new Dropout(0.5)], {
      seed: 3,
    });
    const before = JSON.stringify(Object.values(m.stateDict()).map((v) => v.toArray()));
    m.summary(undefined, { print: false });
    expect(m.modules().every((x) => x.training)).toBe(true);
    expect(JSON.stringify(Object.values(m.stateDict()).map((v) => v.toArray()))).toBe(before);
    const x = np.ones([5, 3]);
    expect(m.call(x).toArray()).toEqual(twin.call(x).toArray());
    expect(Object.getOwnPropertyNames(m.layers[0]!)).not.toContain("forward");
  });

  it("marks lazy layers unbuilt without an input shape, and builds them with one", () => {
    const m = new Sequential([new Dense(4), new Dense(2)]);
    const squeeze = (s: string) => s.replace(/ +/g, " ");
    const text = squeeze(m.summary(undefined, { print: false }));
    expect(text).toContain(" dense (Dense) ? 0 (unbuilt)\n dense_1 (Dense) ? 0 (unbuilt)\n");
    const built = squeeze(m.summary([3], { print: false }));
    expect(built).toContain(" dense (Dense) [null, 4] 16\n dense_1 (Dense) [null, 2] 10\n");
    expect(built).toContain("Total params: 26 (104.00 B)");
  });

  it("uses property names for custom modules", () => {
    class Net extends Module {
      encoder = new Dense(5, { inputDim: 3, activation: "tanh" });
      head = new Dense(1);
      forward(x: np.NDArray) {
        return this.head.call(this.encoder.call(x));
      }
    }
    const text = new Net().summary([3], { print: false });
    expect(text).toContain('Model: "Net"');
    expect(text).toContain(" encoder (Dense)              [null, 5]                         20");
    expect(text).toContain(" head (Dense)                 [null, 1]                          6");
  });
});

describe("layer names", () => {
  it("follow Keras's snake_case of the class name", async () => {
    const { snake } = await import("./summary");
    expect(["Dense", "BatchNorm1d", "Conv2D", "MaxPool2D", "LSTMCell", "ReLU", "Swish"].map(snake)).toEqual([
      "dense",
      "batch_norm1d",
      "conv2d",
      "max_pool2d",
      "lstm_cell",
      "re_lu",
      "swish",
    ]);
  });
});
