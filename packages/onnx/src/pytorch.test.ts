import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { noGrad } from "@chainrule/autograd";
import { fromTypedArray, type NDArray } from "@chainrule/ndarray";
import * as layerConv from "@chainrule/layer-conv";
import {
  BatchNorm1d,
  Dense,
  Dropout,
  Flatten,
  LeakyReLU,
  Module,
  Sequential,
  parseSafetensors,
  withEvalMode,
} from "@chainrule/nn";
import { importOnnx, loadPytorchSafetensors, Permute, savePytorchSafetensors } from "./index";
import { maxRelError } from "./test-helpers";

// Fixtures from fixtures/make_fixtures.py: PyTorch 1.13's torch.onnx.export, its state dict, and its outputs.
const fixture = (name: string, ext: string) =>
  readFileSync(new URL(`../fixtures/${name}.${ext}`, import.meta.url));
const reference = (name: string) => {
  const j = JSON.parse(fixture(name, "json").toString()) as Record<string, number[]>;
  const input = fromTypedArray(Float32Array.from(j.input!), j.inputShape!, "float32");
  return { input, output: j.output!, outputShape: j.outputShape! };
};
const predict = (m: Module, x: NDArray) => withEvalMode(m, () => noGrad(() => m.call(x)));

// The chainrule twins of the PyTorch models (activations folded into Dense/Conv2D; NCHW input permuted).
const twins: Record<string, () => Sequential> = {
  torch_mlp: () =>
    new Sequential([
      new Dense(5, { inputDim: 6, activation: "relu" }),
      new Dropout(0.3),
      new Dense(4, { inputDim: 5, activation: "sigmoid" }),
      new Dense(3, { inputDim: 4, activation: "softmax" }),
    ]),
  torch_cnn: () =>
    new Sequential([
      new Permute([0, 2, 3, 1]),
      new layerConv.Conv2D(3, 3, { padding: "same", activation: "relu", inputChannels: 2 }),
      new layerConv.MaxPool2D(2),
      new layerConv.Conv2D(4, 2, { strides: 2, activation: "tanh", inputChannels: 3 }),
      new Permute([0, 3, 1, 2]),
      new Flatten(),
      new Dense(5, { inputDim: 16 }),
    ]),
  torch_bn: () =>
    new Sequential([
      new Dense(4, { inputDim: 5 }),
      new BatchNorm1d(4),
      new LeakyReLU(0.05),
      new Dense(2, { inputDim: 4 }),
    ]),
};

describe.each(Object.keys(twins))("PyTorch's %s", (name) => {
  const ref = reference(name);

  it("importOnnx of torch.onnx.export's file gives PyTorch's outputs (1e-5)", () => {
    const model = importOnnx(new Uint8Array(fixture(name, "onnx")), { layerConv });
    const y = predict(model, ref.input);
    expect(y.shape).toEqual(ref.outputShape);
    expect(maxRelError(y.dataSync() as Float32Array, ref.output)).toBeLessThan(1e-5);
  });

  it("its safetensors state dict loads into the chainrule twin, which gives PyTorch's outputs, and saves back", () => {
    const bytes = new Uint8Array(fixture(name, "safetensors"));
    const model = twins[name]!();
    loadPytorchSafetensors(model, bytes);
    expect(maxRelError(predict(model, ref.input).dataSync() as Float32Array, ref.output)).toBeLessThan(1e-5);
    const original = parseSafetensors(bytes).tensors;
    const saved = parseSafetensors(savePytorchSafetensors(model, { prefixes: prefixesOf(original) })).tensors;
    expect(Object.keys(saved).sort()).toEqual(Object.keys(original).sort());
    for (const k of Object.keys(original)) {
      expect(saved[k]!.shape, k).toEqual(original[k]!.shape);
      expect(Array.from(saved[k]!.dataSync()), k).toEqual(Array.from(original[k]!.dataSync()));
    }
  });
});

function prefixesOf(t: Record<string, NDArray>): string[] {
  return [...new Set(Object.keys(t).map((k) => k.slice(0, k.lastIndexOf("."))))].sort((a, b) =>
    a.localeCompare(b, "en", { numeric: true }),
  );
}

describe("PyTorch state dict errors", () => {
  it("names missing, unexpected and misshapen tensors", () => {
    const bytes = new Uint8Array(fixture("torch_mlp", "safetensors"));
    const small = new Sequential([new Dense(5, { inputDim: 6 }), new Dense(4, { inputDim: 5 })]);
    expect(() => loadPytorchSafetensors(small, bytes)).toThrow(/3 prefixes for 2 weighted layers/);
    const wrong = new Sequential([
      new Dense(5, { inputDim: 7 }),
      new Dense(4, { inputDim: 5 }),
      new Dense(3, { inputDim: 4 }),
    ]);
    expect(() => loadPytorchSafetensors(wrong, bytes)).toThrow(
      /'0.weight' has shape \[5, 6\], the model needs \[5, 7\]/,
    );
    const named = twins.torch_mlp!();
    expect(() => loadPytorchSafetensors(named, bytes, { prefixes: ["a", "b", "c"] })).toThrow(
      /missing \[a.weight/,
    );
  });
});
