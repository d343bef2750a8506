import { describe, expect, it } from "vitest";
import { noGrad } from "@chainrule/autograd";
import { minimize, placeholder, trace } from "@chainrule/graph";
import * as np from "@chainrule/ndarray";
import * as layerConv from "@chainrule/layer-conv";
import { AvgPool2D, Conv2D, MaxPool2D } from "@chainrule/layer-conv";
import {
  BatchNorm1d,
  Dense,
  Dropout,
  Flatten,
  Module,
  Sequential,
  Softmax,
  meanSquaredError,
  withEvalMode,
} from "@chainrule/nn";
import { SGD } from "@chainrule/optim";
import { exportOnnx, importOnnx, OnnxError, OPSET } from "./index";
import { onnx } from "./proto";
import { fashionCnn, fashionMlp, maxRelError, moonsNetwork, randomInput, runOrt } from "./test-helpers";

/** `x => model(x)` traced in evaluation mode with a dynamic batch axis. */
function traceModel(model: Module, sample: number[]) {
  return trace(
    (x) => withEvalMode(model, () => model.call(x)),
    [placeholder([null, ...sample], "float32", "x")],
  );
}

const eager = (m: Module, x: np.NDArray) => withEvalMode(m, () => noGrad(() => m.call(x)));

/** onnxruntime on the exported file against chainrule's eager outputs, at two batch sizes. */
async function compareTraced(model: Module, sample: number[], seed: number, lo = 0, hi = 1) {
  const bytes = exportOnnx(traceModel(model, sample));
  let worst = 0;
  for (const batch of [5, 8]) {
    const x = randomInput([batch, ...sample], seed + batch, lo, hi);
    const want = eager(model, x);
    const got = await runOrt(bytes, x);
    expect(got.dims).toEqual(want.shape);
    worst = Math.max(worst, maxRelError(got.data, want.dataSync() as Float32Array));
  }
  return { worst, bytes };
}

describe("exportOnnx(traced) against onnxruntime (float32, 1e-5, batches 5 and 8)", () => {
  it("the Fashion-MNIST MLP", async () => {
    const { worst, bytes } = await compareTraced(fashionMlp(1), [28, 28], 10);
    expect(worst).toBeLessThan(1e-5);
    const model = onnx.ModelProto.decode(bytes);
    expect(Number(model.opsetImport[0]!.version)).toBeGreaterThanOrEqual(17);
    expect(OPSET).toBeGreaterThanOrEqual(17);
    const graph = model.graph!;
    const input = graph.input![0]!;
    expect(input.name).toBe("x");
    const dims = input.type?.tensorType?.shape?.dim ?? [];
    expect(dims.map((d) => d.dimParam || Number(d.dimValue))).toEqual(["batch", 28, 28]);
    // Five Dense layers: 10 weight initializers besides the reshape's shape.
    expect(graph.initializer!.filter((t) => t.dataType === 1)).toHaveLength(10);
  });

  it("the Fashion-MNIST CNN (im2col + matmul found and written as Conv, MaxPool)", async () => {
    const { worst, bytes } = await compareTraced(fashionCnn(2), [28, 28], 20);
    expect(worst).toBeLessThan(1e-5);
    const graph = onnx.ModelProto.decode(bytes).graph!;
    const ops = graph.node!.map((n) => n.opType);
    expect(ops.filter((o) => o === "Conv")).toHaveLength(2);
    expect(ops.filter((o) => o === "MaxPool")).toHaveLength(2);
    // The kernels are the model's, permuted to [cout, cin, kh, kw]: no one-hot im2col kernel, no copy.
    const shapes = graph.initializer!.map((t) => t.dims!.map(Number).join("x"));
    expect(shapes).toContain("32x1x3x3");
    expect(shapes).toContain("64x32x3x3");
    expect(shapes.filter((d) => d.split("x").length === 4)).toHaveLength(2);
    // No Transpose undoes the one before it (pool → NHWC → NCHW → Conv).
    const byOutput = new Map(graph.node!.map((n) => [n.output![0], n.opType]));
    const pairs = graph.node!.filter(
      (n) => n.opType === "Transpose" && byOutput.get(n.input![0]!) === "Transpose",
    );
    expect(pairs).toHaveLength(0);
    // The biases are the Convs' third inputs, not separate Adds.
    expect(graph.node!.filter((n) => n.opType === "Conv").every((n) => n.input!.length === 3)).toBe(true);
  });

  it("the moons network", async () => {
    const { worst } = await compareTraced(moonsNetwork(3), [2], 30, -2, 3);
    expect(worst).toBeLessThan(1e-5);
  });

  it("strided, dilated, 'same' and 'valid' convolutions, max and average pools", async () => {
    const model = new Sequential(
      [
        new Conv2D(4, [3, 2], { padding: "same", strides: [2, 1], inputChannels: 3, activation: "tanh" }),
        new MaxPool2D(3, { strides: 2, padding: "same" }),
        new Conv2D(5, 3, { dilationRate: 2, padding: "same", activation: "leakyRelu" }),
        new AvgPool2D(2, { padding: "same" }),
        new Conv2D(2, [2, 3], { padding: "valid", useBias: false }),
        new Flatten(),
        new Dense(6, { activation: "softmax" }),
      ],
      { seed: 4 },
    );
    const { worst } = await compareTraced(model, [11, 9, 3], 40, -1, 1);
    expect(worst).toBeLessThan(1e-5);
  });

  it("BatchNorm1d and Dropout in inference, softmax", async () => {
    const model = new Sequential(
      [
        new Dense(8, { inputDim: 6 }),
        new BatchNorm1d(8, { eps: 1e-3 }),
        new Dropout(0.5),
        new Dense(4),
        new Softmax(-1),
      ],
      { seed: 5 },
    );
    // Train mode moves the running statistics away from 0 and 1, so the test sees them.
    for (let i = 0; i < 3; i++) noGrad(() => model.call(randomInput([16, 6], 50 + i, -2, 3)));
    const { worst } = await compareTraced(model, [6], 60, -1, 2);
    expect(worst).toBeLessThan(1e-5);
  });

  it("several outputs, named by their paths, and integer ops (argmax, comparisons, where)", async () => {
    const W = np.array(
      [
        [1, -2, 0.5],
        [0.25, 3, -1],
      ],
      { dtype: "float32" },
    );
    const f = trace(
      (x) => {
        const logits = np.matmul(x, W);
        const best = np.argmax(logits, -1);
        const clipped = np.where(np.gt(logits, 0), logits, np.mul(logits, 0.1));
        return { logits, best, clipped: np.log1p(np.abs(clipped)) };
      },
      [placeholder([null, 2], "float32", "x")],
    );
    const bytes = exportOnnx(f);
    const x = randomInput([7, 2], 70, -1, 1);
    const want = f(x);
    const ort = await import("onnxruntime-node");
    const session = await ort.InferenceSession.create(bytes);
    expect([...session.outputNames].sort()).toEqual(["best", "clipped", "logits"]);
    const out = await session.run({ x: new ort.Tensor("float32", x.dataSync() as Float32Array, [7, 2]) });
    expect(maxRelError(out.logits!.data as Float32Array, want.logits.dataSync())).toBeLessThan(1e-6);
    expect(maxRelError(out.clipped!.data as Float32Array, want.clipped.dataSync())).toBeLessThan(1e-5);
    expect(out.best!.type).toBe("int32");
    expect(Array.from(out.best!.data as Int32Array)).toEqual(Array.from(want.best.dataSync()));
  });
});

describe("traced → ONNX → chainrule", () => {
  it("the Fashion-MNIST MLP, the CNN and the moons network come back with identical outputs", () => {
    for (const [model, sample] of [
      [fashionMlp(6), [28, 28]],
      [fashionCnn(8), [28, 28]],
      [moonsNetwork(7), [2]],
    ] as const) {
      const back = importOnnx(exportOnnx(traceModel(model, [...sample])), { layerConv });
      const x = randomInput([6, ...sample], 80);
      expect(eager(back, x).dataSync()).toEqual(eager(model, x).dataSync());
    }
  });
});

describe("exportOnnx(traced) errors", () => {
  it("names a primitive with no ONNX mapping", () => {
    const f = trace(
      (x) => np.scatterAdd(x, np.array([0, 2], { dtype: "int32" }), 1, 3),
      [placeholder([null, 2], "float32", "x")],
    );
    expect(() => exportOnnx(f)).toThrow(OnnxError);
    expect(() => exportOnnx(f)).toThrow(/primitive 'scatterAdd' has no ONNX mapping/);
  });

  it("asks for a dynamic batch axis", () => {
    const f = trace((x) => np.relu(x), [np.zeros([4, 3])]);
    expect(() => exportOnnx(f)).toThrow(/placeholder #0 has shape \[4, 3\].*null/);
  });

  it("refuses a value computed from the batch size", () => {
    const f = trace((x) => np.sub(x, np.mean(x, 0)), [placeholder([null, 3], "float32", "x")]);
    // The mean over the batch divides by a constant batch size: exporting it would be wrong at other sizes.
    expect(() => exportOnnx(f)).toThrow(/depends on the batch size/);
  });

  it("refuses train ops", () => {
    const model = moonsNetwork(1);
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const f = trace(
      (x, t) => {
        const loss = meanSquaredError(model.call(x), t);
        return { loss, train: minimize(loss, opt) };
      },
      [placeholder([null, 2], "float32", "x"), placeholder([null, 2], "float32", "t")],
    );
    expect(() => exportOnnx(f)).toThrow(/output 'train' is a train op/);
  });
});
