import { checkGrads } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import {
  embedding,
  gelu,
  layerNorm,
  multiHeadAttention,
  sinusoidalEncoding,
  type MultiHeadAttentionWeights,
} from "./index";

const rng = new np.Random(1);
const f64 = (shape: number[], std = 1) => rng.normal(shape, 0, std, "float64");

// Independent reference: plain loops over Float64Arrays, sharing no code with the layer.
function naiveAttention(
  x: Float64Array,
  B: number,
  T: number,
  C: number,
  H: number,
  w: Record<string, Float64Array>,
  causal: boolean,
) {
  const lin = (inp: Float64Array, W: Float64Array, b: Float64Array) => {
    const out = new Float64Array(B * T * C);
    for (let r = 0; r < B * T; r++)
      for (let j = 0; j < C; j++) {
        let s = b[j]!;
        for (let i = 0; i < C; i++) s += inp[r * C + i]! * W[i * C + j]!;
        out[r * C + j] = s;
      }
    return out;
  };
  const q = lin(x, w.wq!, w.bq!),
    k = lin(x, w.wk!, w.bk!),
    v = lin(x, w.wv!, w.bv!);
  const D = C / H;
  const y = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let t = 0; t < T; t++) {
        const last = causal ? t : T - 1;
        const scores: number[] = [];
        for (let s = 0; s <= last; s++) {
          let dot = 0;
          for (let d = 0; d < D; d++)
            dot += q[(b * T + t) * C + h * D + d]! * k[(b * T + s) * C + h * D + d]!;
          scores.push(dot / Math.sqrt(D));
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, c) => a + c, 0);
        for (let d = 0; d < D; d++) {
          let acc = 0;
          for (let s = 0; s <= last; s++) acc += (e[s]! / z) * v[(b * T + s) * C + h * D + d]!;
          y[(b * T + t) * C + h * D + d] = acc;
        }
      }
  return lin(y, w.wo!, w.bo!);
}

function weights(C: number): MultiHeadAttentionWeights {
  const s = 1 / Math.sqrt(C);
  return {
    wq: f64([C, C], s),
    wk: f64([C, C], s),
    wv: f64([C, C], s),
    wo: f64([C, C], s),
    bq: f64([C], 0.1),
    bk: f64([C], 0.1),
    bv: f64([C], 0.1),
    bo: f64([C], 0.1),
  };
}

describe("multiHeadAttention", () => {
  it.each([
    [2, 5, 8, 2, true],
    [1, 4, 6, 3, true],
    [2, 3, 4, 1, false],
  ])("matches naive loops: B=%i T=%i C=%i H=%i causal=%s", (B, T, C, H, causal) => {
    const x = f64([B, T, C]);
    const w = weights(C);
    const got = multiHeadAttention(x, w, H, { causal }).toTypedArray();
    const plain = Object.fromEntries(
      Object.entries(w).map(([n, a]) => [n, a.toTypedArray() as Float64Array]),
    );
    const want = naiveAttention(x.toTypedArray() as Float64Array, B, T, C, H, plain, causal);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 10);
  });

  it("is causal: changing a later position leaves earlier outputs unchanged", () => {
    const w = weights(4);
    const x = f64([1, 5, 4]);
    const x2 = np.concat([np.slice(x, [null, [0, 3]]), f64([1, 2, 4])], 1);
    const a = np.slice(multiHeadAttention(x, w, 2), [null, [0, 3]]).toTypedArray();
    const b = np.slice(multiHeadAttention(x2, w, 2), [null, [0, 3]]).toTypedArray();
    expect([...b]).toEqual([...a]);
  });

  it("passes checkGrads (orders 1 and 2) in float64 for x and every weight", () => {
    const C = 4;
    const w = weights(C);
    const names = Object.keys(w) as (keyof MultiHeadAttentionWeights)[];
    checkGrads(
      (x, ...ws) =>
        multiHeadAttention(
          x!,
          Object.fromEntries(names.map((n, i) => [n, ws[i]!])) as unknown as MultiHeadAttentionWeights,
          2,
        ),
      [f64([1, 3, C]), ...names.map((n) => w[n])],
      { order: 2 },
    );
  });

  it("names the op and the shapes on bad input", () => {
    expect(() => multiHeadAttention(f64([2, 3, 5]), weights(4), 2)).toThrow(
      /multiHeadAttention: expected x \[B, T, 4\], got \[2, 3, 5\]/,
    );
  });
});

describe("gelu", () => {
  it("matches the closed form and its known values", () => {
    const x = np.array([-3, -1, 0, 0.5, 2], { dtype: "float64" });
    const want = [-3, -1, 0, 0.5, 2].map(
      (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
    );
    expect([...gelu(x).toTypedArray()].map((v, i) => v - want[i]!).every((d) => Math.abs(d) < 1e-12)).toBe(
      true,
    );
    // GELU(1) = Φ(1) ≈ 0.8413 up to the tanh approximation's error (< 1e-3).
    expect(Math.abs(gelu(np.array([1], { dtype: "float64" })).toTypedArray()[0]! - 0.841345)).toBeLessThan(
      1e-3,
    );
  });

  it("passes checkGrads (orders 1 and 2)", () => {
    checkGrads(gelu, [f64([3, 4])], { order: 2 });
  });
});

describe("layerNorm", () => {
  it("gives each row mean 0 and variance 1 before the affine map", () => {
    const y = layerNorm(f64([3, 8], 3), np.ones([8], "float64"), np.zeros([8], "float64"), 0);
    const rows = y.toArray() as number[][];
    for (const r of rows) {
      const m = r.reduce((a, c) => a + c, 0) / 8;
      expect(m).toBeCloseTo(0, 12);
      expect(r.reduce((a, c) => a + (c - m) ** 2, 0) / 8).toBeCloseTo(1, 10);
    }
  });

  it("passes checkGrads (orders 1 and 2) for x, gamma and beta", () => {
    checkGrads((x, g, b) => layerNorm(x!, g!, b!), [f64([2, 3, 5]), f64([5]), f64([5])], { order: 2 });
  });

  it("names the op and the shapes on bad input", () => {
    expect(() => layerNorm(f64([2, 3]), f64([4]), f64([4]))).toThrow(/layerNorm: .*x \[2, 3\], gamma \[4\]/);
  });
});

describe("embedding", () => {
  it("picks rows and accumulates gradients of repeated ids (checkGrads orders 1 and 2)", () => {
    const table = f64([5, 3]);
    const ids = np.array(
      [
        [0, 4, 4],
        [2, 0, 1],
      ],
      { dtype: "int32" },
    );
    const rows = embedding(table, ids).toArray() as number[][][];
    expect(rows[0]![1]).toEqual((table.toArray() as number[][])[4]);
    checkGrads((t) => np.mul(embedding(t!, ids), embedding(t!, ids)), [table], { order: 2 });
  });
});

describe("sinusoidalEncoding", () => {
  it("follows the paper's formula", () => {
    const pe = sinusoidalEncoding(4, 6, "float64").toArray() as number[][];
    expect(pe[0]).toEqual([0, 1, 0, 1, 0, 1]);
    expect(pe[3]![2]).toBeCloseTo(Math.sin(3 / 10000 ** (2 / 6)), 12);
    expect(pe[3]![5]).toBeCloseTo(Math.cos(3 / 10000 ** (4 / 6)), 12);
  });
});
