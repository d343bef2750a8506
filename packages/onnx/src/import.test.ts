import { describe, expect, it } from "vitest";
import { noGrad } from "@chainrule/autograd";
import type { NDArray } from "@chainrule/ndarray";
import * as layerConv from "@chainrule/layer-conv";
import {
  BatchNorm1d,
  Dense,
  Dropout,
  LeakyReLU,
  Module,
  Reshape,
  Sequential,
  Softmax,
  withEvalMode,
} from "@chainrule/nn";
import { exportOnnx, importOnnx, OnnxError } from "./index";
import { onnx } from "./proto";
import { fashionCnn, fashionMlp, moonsNetwork, randomInput, runOrt, maxRelError } from "./test-helpers";

const predict = (m: Module, x: NDArray) => withEvalMode(m, () => noGrad(() => m.call(x)));
const opts = { layerConv };

function roundTrip(model: Module, sample: number[], seed: number) {
  const bytes = exportOnnx(model, randomInput([1, ...sample], seed));
  const back = importOnnx(bytes, opts);
  const x = randomInput([5, ...sample], seed + 1);
  return { want: predict(model, x), got: predict(back, x), bytes, back, x };
}

describe("chainrule → ONNX → chainrule", () => {
  it.each([
    ["the Fashion-MNIST MLP", fashionMlp(1), [28, 28]],
    ["the Fashion-MNIST CNN", fashionCnn(2), [28, 28]],
    ["the moons network", moonsNetwork(3), [2]],
  ] as const)("%s gives identical outputs", (_, model, sample) => {
    const { want, got } = roundTrip(model, [...sample], 7);
    expect(got.shape).toEqual(want.shape);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
  });

  it("keeps BatchNorm1d's statistics, LeakyReLU's alpha, Reshape and the softmax axis", () => {
    const model = new Sequential(
      [
        new Reshape([6]),
        new Dense(4),
        new BatchNorm1d(4, { eps: 1e-3 }),
        new LeakyReLU(0.3),
        new Dropout(0.2),
        new Dense(3),
        new Softmax(),
      ],
      { seed: 9 },
    );
    for (let i = 0; i < 2; i++) noGrad(() => model.call(randomInput([8, 2, 3], i, -1, 2)));
    const { want, got, back } = roundTrip(model, [2, 3], 11);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    const bn = back.layers.find((l) => l instanceof BatchNorm1d) as BatchNorm1d;
    expect(bn.eps).toBeCloseTo(1e-3, 9);
    expect(Array.from(bn.runningMean!.dataSync())).toEqual(
      Array.from((model.layers[2] as BatchNorm1d).runningMean!.dataSync()),
    );
  });

  it("an imported CNN runs the same as onnxruntime on the file", async () => {
    const { bytes, back, x } = roundTrip(fashionCnn(4), [28, 28], 13);
    const ort = await runOrt(bytes, x);
    expect(maxRelError(predict(back, x).dataSync() as Float32Array, ort.data)).toBeLessThan(1e-5);
  });

  it("asks for layer-conv when the file has a Conv", () => {
    const bytes = exportOnnx(fashionCnn(1), randomInput([1, 28, 28], 1));
    expect(() => importOnnx(bytes)).toThrow(/needs @chainrule\/layer-conv/);
  });
});

/** Decodes a file, lets `edit` spoil it, encodes it again. */
function spoil(edit: (m: InstanceType<typeof onnx.ModelProto>) => void): Uint8Array {
  const bytes = exportOnnx(moonsNetwork(1), randomInput([1, 2], 1));
  const m = onnx.ModelProto.decode(bytes);
  edit(m);
  return onnx.ModelProto.encode(m).finish();
}

describe("hostile .onnx files", () => {
  const good = exportOnnx(moonsNetwork(1), randomInput([1, 2], 1));

  it("truncated", () => {
    for (const n of [1, 10, good.length >> 1, good.length - 3])
      expect(() => importOnnx(good.subarray(0, n))).toThrow(OnnxError);
  });

  it("not protobuf at all", () => {
    const junk = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff);
    expect(() => importOnnx(junk)).toThrow(OnnxError);
  });

  it("an initializer of the wrong data type", () => {
    const bytes = spoil((m) => {
      m.graph!.initializer![0]!.dataType = onnx.TensorProto.DataType.DOUBLE;
    });
    expect(() => importOnnx(bytes)).toThrow(/data type DOUBLE is not supported/);
  });

  it("an int input", () => {
    const bytes = spoil((m) => {
      m.graph!.input![0]!.type!.tensorType!.elemType = onnx.TensorProto.DataType.INT64;
    });
    expect(() => importOnnx(bytes)).toThrow(/must be a float32 tensor/);
  });

  it("huge dims with little data are refused before anything is allocated", () => {
    const huge = spoil((m) => {
      m.graph!.initializer![0]!.dims = [1e9, 1e9];
    });
    expect(() => importOnnx(huge)).toThrow(/more than the limit/);
    const short = spoil((m) => {
      m.graph!.initializer![0]!.dims = [1000, 1000];
    });
    expect(() => importOnnx(short)).toThrow(/needs 1000000 values, the file holds 50/);
    const input = spoil((m) => {
      m.graph!.input![0]!.type!.tensorType!.shape!.dim = [
        { dimParam: "N" },
        { dimValue: 1e6 },
        { dimValue: 1e6 },
      ];
    });
    expect(() => importOnnx(input)).toThrow(/more than 67108864 elements per sample/);
    expect(() => importOnnx(good, { maxBytes: 100 })).toThrow(/over the limit of 100/);
  });

  it("an unknown op is named", () => {
    const bytes = spoil((m) => {
      m.graph!.node![1]!.opType = "Celu";
    });
    expect(() => importOnnx(bytes)).toThrow(/op Celu \(node '.*'\) is not supported/);
  });

  it("a graph that is not a chain", () => {
    const bytes = spoil((m) => {
      m.graph!.node![2]!.input![0] = "elsewhere";
    });
    expect(() => importOnnx(bytes)).toThrow(/reads 'elsewhere'/);
  });

  it("an old opset", () => {
    const bytes = spoil((m) => {
      m.opsetImport![0]!.version = 9;
    });
    expect(() => importOnnx(bytes)).toThrow(/opset 9 is too old/);
  });
});
