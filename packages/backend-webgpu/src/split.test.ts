// The split kernels: matmul over K ranges in parallel workgroups plus a summing pass (weight gradients:
// small outputs, long K), and reductions over chunks with workgroup trees plus a combining pass (bias
// gradients). Each case checks that the split path is taken, then compares with a naive float64 loop
// over the same values (sharing no code with the kernels) and with the js backend.
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { splitK } from "./matmul";
import { reduceChunks } from "./reduce";
import { agree, values, webgpu } from "./test-helpers";

const TILE = 32;
const tilesOf = (m: number, n: number, batch = 1) => Math.ceil(m / TILE) * Math.ceil(n / TILE) * batch;

/** Runs `f` on webgpu and returns its values. */
async function onGpu(f: () => np.NDArray): Promise<Float32Array | Int32Array> {
  const previous = np.getBackend();
  np.setBackend(await webgpu());
  try {
    const r = f();
    expect(r.onDevice).toBe(true);
    return (await r.data()) as Float32Array | Int32Array;
  } finally {
    np.setBackend(previous);
  }
}

/** |got − want| ≤ tol[i] for every element (tol: the float32 rounding allowance of each output). */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: ArrayLike<number>, what: string) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(got[i]! - want[i]!) <= tol[i]!;
    if (!ok) expect.fail(`${what}, element ${i}: webgpu ${got[i]}, float64 loop ${want[i]} (±${tol[i]})`);
  }
}

/**
 * A·B in float64 for row-major A [m, k] and B [k, n], and per output a float32 rounding allowance:
 * 3·10⁻⁵ of Σ|a·b| (each K range sums a few hundred terms in order, then the ranges are added).
 */
function naiveMatmul(a: number[], b: number[], m: number, k: number, n: number) {
  const c = new Float64Array(m * n);
  const tol = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      let abs = 0;
      for (let t = 0; t < k; t++) {
        const p = a[i * k + t]! * b[t * n + j]!;
        s += p;
        abs += Math.abs(p);
      }
      c[i * n + j] = s;
      tol[i * n + j] = 3e-5 * abs + 1e-6;
    }
  return { c, tol };
}

/** On the current backend (np.add moves it there), so views of it stay views on the GPU. */
const f32 = (v: number[], shape: number[]) => np.add(np.array(v, { dtype: "float32" }).reshape(...shape), 0);
/** The float32 values the GPU sees. */
const rounded = (v: number[]) => Array.from(Float32Array.from(v));

describe("split-K matmul (small outputs, long K)", () => {
  it("a weight-gradient product cols^T·g: transposed A, K not a multiple of the range or the tile", async () => {
    const [m, k, n] = [9, 20_001, 32];
    expect(splitK(tilesOf(m, n), k).splits).toBeGreaterThan(1);
    const cols = rounded(values(k * m, 1, -1, 1)); // [k, m], read transposed
    const g = rounded(values(k * n, 2, -1, 1));
    const at = Array.from({ length: m * k }, (_, i) => cols[(i % k) * m + Math.floor(i / k)]!);
    const { c, tol } = naiveMatmul(at, g, m, k, n);
    const run = () => np.matmul(f32(cols, [k, m]).T, f32(g, [k, n]));
    expectClose(await onGpu(run), c, tol, "cols^T·g");
    await agree(run, 1e-4, 1e-4);
  });

  it("positive terms, so a missing or doubled K range cannot cancel out", async () => {
    const [m, k, n] = [5, 9_999, 7];
    const { splits, chunk } = splitK(tilesOf(m, n), k);
    expect(splits).toBeGreaterThan(2);
    expect(k % chunk).not.toBe(0);
    const a = rounded(values(m * k, 3, 0, 1));
    const b = rounded(values(k * n, 4, 0, 1));
    const { c, tol } = naiveMatmul(a, b, m, k, n);
    expectClose(await onGpu(() => np.matmul(f32(a, [m, k]), f32(b, [k, n]))), c, tol, "positive");
  });

  it("a 1-element output", async () => {
    const k = 5_000;
    expect(splitK(1, k).splits).toBeGreaterThan(1);
    const a = rounded(values(k, 5));
    const b = rounded(values(k, 6));
    const { c, tol } = naiveMatmul(a, b, 1, k, 1);
    const run = () => np.matmul(f32(a, [1, k]), f32(b, [k, 1]));
    expectClose(await onGpu(run), c, tol, "1×1");
    await agree(run, 1e-4, 1e-4);
  });

  it("broadcast batch axes: [2, 1, 3, K]·[4, K, 5] → [2, 4, 3, 5]", async () => {
    const k = 1_537;
    expect(splitK(tilesOf(3, 5, 8), k).splits).toBeGreaterThan(1);
    const a = rounded(values(2 * 3 * k, 7));
    const b = rounded(values(4 * k * 5, 8));
    const got = await onGpu(() => np.matmul(f32(a, [2, 1, 3, k]), f32(b, [4, k, 5])));
    const want: number[] = [];
    const tols: number[] = [];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 4; j++) {
        const r = naiveMatmul(
          a.slice(i * 3 * k, (i + 1) * 3 * k),
          b.slice(j * k * 5, (j + 1) * k * 5),
          3,
          k,
          5,
        );
        want.push(...r.c);
        tols.push(...r.tol);
      }
    expectClose(got, want, tols, "batched");
    await agree(() => np.matmul(f32(a, [2, 1, 3, k]), f32(b, [4, k, 5])), 1e-4, 1e-4);
  });

  it("int32: exact, and large outputs are not split", async () => {
    const [m, k, n] = [3, 700, 2];
    expect(splitK(tilesOf(m, n), k).splits).toBeGreaterThan(1);
    expect(splitK(tilesOf(512, 512), 20_000).splits).toBe(1);
    const ints = (seed: number, count: number) => values(count, seed, -50, 50).map(Math.round);
    const a = ints(9, m * k);
    const b = ints(10, k * n);
    const { c } = naiveMatmul(a, b, m, k, n);
    const i32 = (v: number[], shape: number[]) =>
      np.add(np.array(v, { dtype: "int32" }).reshape(...shape), 0);
    expect(Array.from(await onGpu(() => np.matmul(i32(a, [m, k]), i32(b, [k, n]))))).toEqual(Array.from(c));
  });
});

describe("chunked reductions (few outputs, many elements each)", () => {
  /** sum over `axes` of a row-major array of `shape`, in float64, with 10⁻⁶ of Σ|x| as the allowance. */
  function naiveSum(v: number[], shape: number[], axes: number[]) {
    const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const size = keptShape.reduce((s, d) => s * d, 1);
    const sum = new Float64Array(size);
    const abs = new Float64Array(size);
    v.forEach((x, flat) => {
      let rem = flat;
      let o = 0;
      let scale = 1;
      for (let d = shape.length - 1; d >= 0; d--) {
        const c = rem % shape[d]!;
        rem = Math.floor(rem / shape[d]!);
        if (!axes.includes(d)) o += c * scale;
        scale *= keptShape[d]!;
      }
      sum[o]! += x;
      abs[o]! += Math.abs(x);
    });
    return { sum, tol: abs.map((a) => 1e-6 * a + 1e-6) };
  }

  it("a bias gradient: sum over [N, H, W] of [50, 14, 14, 8]", async () => {
    const shape = [50, 14, 14, 8];
    expect(reduceChunks(8, 50 * 14 * 14).chunks).toBeGreaterThan(1);
    const v = rounded(values(50 * 14 * 14 * 8, 11));
    const { sum, tol } = naiveSum(v, shape, [0, 1, 2]);
    const run = () => np.sum(f32(v, shape), [0, 1, 2]);
    expectClose(await onGpu(run), sum, tol, "bias gradient");
    await agree(run, 1e-4, 1e-4);
  });

  it("everything into one output, an odd length; positive values", async () => {
    const n = 100_003;
    expect(reduceChunks(1, n).chunks).toBeGreaterThan(1);
    const v = rounded(values(n, 12, 0, 1));
    const { sum, tol } = naiveSum(v, [n], [0]);
    expectClose(await onGpu(() => np.sum(f32(v, [n]))), sum, tol, "sum of all");
  });

  it("strided, unmergeable and broadcast inputs", async () => {
    const v = rounded(values(3000 * 7, 13));
    // A transposed view: [7, 3000] summed along its (strided) last axis.
    const t = naiveSum(v, [3000, 7], [0]);
    const run = () => np.sum(f32(v, [3000, 7]).T, 1);
    expectClose(await onGpu(run), t.sum, t.tol, "transposed");
    await agree(run, 1e-4, 1e-4);
    // Axes 0 and 2 of [30, 7, 100]: two reduced axes that do not walk memory as one.
    const w = naiveSum(v, [30, 7, 100], [0, 2]);
    const run2 = () => np.sum(f32(v, [30, 7, 100]), [0, 2]);
    expectClose(await onGpu(run2), w.sum, w.tol, "axes 0, 2");
    await agree(run2, 1e-4, 1e-4);
    // A row broadcast to 2,000 rows (zero stride along the reduced axis).
    const row = v.slice(0, 6);
    const got = await onGpu(() => np.sum(np.broadcastTo(f32(row, [1, 6]), [2000, 6]), 0));
    expectClose(
      got,
      row.map((x) => 2000 * x),
      row.map((x) => 1e-6 * 2000 * Math.abs(x) + 1e-6),
      "broadcast",
    );
  });

  it("max and min: a NaN anywhere wins, infinities count, the first element is not special", async () => {
    const n = 30_000;
    const v = rounded(values(n, 14, -5, 5));
    const run = (x: number[], op: "max" | "min") => () => np[op](f32(x, [3, n / 3]), 1);
    for (const op of ["max", "min"] as const) {
      const want = [0, 1, 2].map((r) =>
        v.slice((r * n) / 3, ((r + 1) * n) / 3).reduce((a, b) => Math[op](a, b)),
      );
      expect(Array.from(await onGpu(run(v, op)))).toEqual(want);
      await agree(run(v, op));
    }
    const special = v.slice();
    special[17_000] = Number.NaN; // row 1
    special[25_000] = Number.POSITIVE_INFINITY; // row 2
    special[3] = Number.NEGATIVE_INFINITY; // row 0
    const max = await onGpu(run(special, "max"));
    expect(max[0]).toBe(Math.max(...special.slice(0, n / 3)));
    expect(max[1]).toBeNaN();
    expect(max[2]).toBe(Number.POSITIVE_INFINITY);
    const min = await onGpu(run(special, "min"));
    expect(min[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(min[1]).toBeNaN();
    await agree(run(special, "max"));
    await agree(run(special, "min"));
    const allLow = Array.from({ length: 2000 }, () => Number.NEGATIVE_INFINITY);
    expect(Array.from(await onGpu(() => np.max(f32(allLow, [2000]))))).toEqual([Number.NEGATIVE_INFINITY]);
  });

  it("prod near 1, and int32 sums exactly", async () => {
    const n = 4_000;
    const v = rounded(values(n, 15, 0.999, 1.001));
    const want = v.reduce((a, b) => a * b, 1);
    const [got] = await onGpu(() => np.prod(f32(v, [n])));
    expect(Math.abs(got! - want)).toBeLessThan(1e-4 * want);
    const ints = values(50_000, 16, -1000, 1000).map(Math.round);
    const sum = ints.reduce((a, b) => a + b, 0);
    expect(Array.from(await onGpu(() => np.sum(np.add(np.array(ints, { dtype: "int32" }), 0))))).toEqual([
      sum,
    ]);
  });
});
