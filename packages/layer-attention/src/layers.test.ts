import { checkGrads, GradientTape } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { loadWeights, saveWeights, type Module } from "@chainrule/nn";
import { describe, expect, it } from "vitest";
import {
  Block,
  Embedding,
  GELU,
  GPT,
  LayerNorm,
  MultiHeadAttention,
  PositionalEmbedding,
  SinusoidalPositionalEncoding,
} from "./index";

const f64 = (shape: number[], seed = 0) => new np.Random(seed).normal(shape, 0, 1, "float64");

// Input gradients (orders 1 and 2) by checkGrads with the parameters fixed; parameter gradients of
// Σ proj·layer(x) by the tape against float64 central differences on the Variables themselves.
function checkLayer(layer: Module, x: np.NDArray) {
  checkGrads((xi) => layer.call(xi!), [x], { order: 2 });
  const proj = new np.Random(7).uniform([...layer.call(x).shape], 0.5, 1.5, "float64");
  const loss = () => np.sum(np.mul(layer.call(x), proj));
  const params = layer.parameters();
  const tape = new GradientTape();
  const y = tape.record(() => loss());
  const grads = tape.gradient(y, params) as np.NDArray[];
  const h = 1e-6;
  params.forEach((p, i) => {
    const buf = p.buffer as Float64Array;
    const g = grads[i]!.toTypedArray();
    for (let j = 0; j < buf.length; j++) {
      const orig = buf[j]!;
      buf[j] = orig + h;
      const up = loss().item();
      buf[j] = orig - h;
      const down = loss().item();
      buf[j] = orig;
      expect(Math.abs(g[j]! - (up - down) / (2 * h))).toBeLessThan(1e-6 + 1e-5 * Math.abs(g[j]!));
    }
  });
}

describe("layers", () => {
  it("have the parameters Module finds by name", () => {
    expect(new MultiHeadAttention(8, 2, { seed: 0 }).namedParameters().map(([n, v]) => [n, v.shape])).toEqual(
      [
        ["query.kernel", [8, 8]],
        ["query.bias", [8]],
        ["key.kernel", [8, 8]],
        ["key.bias", [8]],
        ["value.kernel", [8, 8]],
        ["value.bias", [8]],
        ["output.kernel", [8, 8]],
        ["output.bias", [8]],
      ],
    );
    expect(new Block(8, 2, { seed: 0 }).countParams().total).toBe(
      2 * 16 + 4 * 72 + (8 * 32 + 32) + (32 * 8 + 8),
    );
    expect(new SinusoidalPositionalEncoding(4, 8).parameters()).toEqual([]);
  });

  it("Embedding looks rows up and rejects float ids", () => {
    const e = new Embedding(5, 3, { seed: 0 });
    expect(e.call(np.array([[4, 0]], { dtype: "int32" })).shape).toEqual([1, 2, 3]);
    expect(() => e.call(np.array([1.5]))).toThrow(
      /Embedding\(5, 3\): ids must be int32 or uint8, got float32/,
    );
  });

  it("positional layers add one row per position and check T against their length", () => {
    const p = new PositionalEmbedding(4, 3, { seed: 0 });
    const y = p.call(np.zeros([2, 3, 3]));
    expect((y.toArray() as number[][][])[1]).toEqual(np.slice(p.weight, [[0, 3]]).toArray() as number[][]);
    expect(() => p.call(np.zeros([1, 5, 3]))).toThrow(
      /PositionalEmbedding\(4, 3\): expected x \[B, T ≤ 4, 3\], got \[1, 5, 3\]/,
    );
  });

  it("LayerNorm, GELU, MultiHeadAttention and Block: input gradients by checkGrads (orders 1, 2), parameter gradients by finite differences", () => {
    const x = f64([1, 3, 4], 2);
    const ln = new LayerNorm(4, { dtype: "float64" });
    ln.gamma.assign(f64([4], 5));
    ln.beta.assign(f64([4], 6));
    for (const layer of [ln, new GELU()]) checkLayer(layer, x);
    checkLayer(new MultiHeadAttention(4, 2, { seed: 1, dtype: "float64" }), x);
    checkLayer(new Block(4, 2, { seed: 1, dtype: "float64", mlpRatio: 2 }), x);
  });

  it("attention dropout is active in training only and reproducible from a seed", () => {
    const x = f64([1, 6, 8], 3);
    const run = (seed: number) => new MultiHeadAttention(8, 2, { seed, dropout: 0.5, dtype: "float64" });
    const a = run(1);
    const train1 = a.call(x).toTypedArray();
    expect([...run(1).call(x).toTypedArray()]).toEqual([...train1]);
    a.eval();
    const e1 = [...a.call(x).toTypedArray()];
    expect(e1).toEqual([...a.call(x).toTypedArray()]);
    expect(e1).not.toEqual([...train1]);
  });

  it("GPT maps ids [B, T] to logits [B, T, V] and round-trips through safetensors", () => {
    const gpt = new GPT({ vocabSize: 7, blockSize: 5, dim: 8, heads: 2, layers: 2, seed: 0 });
    const ids = np.array(
      [
        [1, 2, 3],
        [6, 0, 0],
      ],
      { dtype: "int32" },
    );
    const logits = gpt.call(ids);
    expect(logits.shape).toEqual([2, 3, 7]);
    const copy = new GPT({ vocabSize: 7, blockSize: 5, dim: 8, heads: 2, layers: 2, seed: 9 });
    loadWeights(copy, saveWeights(gpt));
    expect([...copy.call(ids).toTypedArray()]).toEqual([...logits.toTypedArray()]);
    expect(() => gpt.call(np.zeros([1, 6], "int32"))).toThrow(/GPT: expected ids \[B, T ≤ 5\], got \[1, 6\]/);
  });
});
