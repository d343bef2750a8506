import { describe, expect, it } from "vitest";
import { backendName } from "../testing/backend";
import { at, expectArray, expectError, values } from "../testing/helpers";
import * as np from "../index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });
/** 0..n-1 in float64 with the given shape. */
const seq = (shape: number[]) =>
  np.array(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i),
    { dtype: "float64", shape },
  );

describe(`reshape [${backendName}]`, () => {
  it("is a view of contiguous arrays, with one dimension inferred from -1", () => {
    const x = seq([2, 6]);
    const r = np.reshape(x, [3, -1]);
    expect(r.shape).toEqual([3, 4]);
    expect(r.buffer).toBe(x.buffer);
    expectArray(r, [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
    expect(np.reshape(x, [2, 6])).toBe(x);
    expectArray(x.reshape(4, 3), [
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
      [9, 10, 11],
    ]);
    expectArray(x.reshape([12]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(np.reshape(np.zeros([0, 3]), [-1, 3, 2]).shape).toEqual([0, 3, 2]);
  });

  it("stays a view for strided arrays when the strides allow (NumPy's no-copy rule)", () => {
    const t = np.transpose(seq([3, 4])); // [4, 3], strides [1, 4]
    const u = np.reshape(t, [4, 1, 3]); // adding an axis never needs a copy
    expect(u.buffer).toBe(t.buffer);
    expect(values(np.reshape(u, [4, 3]))).toEqual(values(t));
    const s = np.slice(seq([4, 6]), ":, ::2"); // [4, 3], strides [6, 2]
    const split = np.reshape(s, [2, 2, 3]); // splitting the first axis keeps the strides
    expect(split.buffer).toBe(s.buffer);
    expect(split.strides).toEqual([12, 6, 2]);
    expectArray(split, [
      [
        [0, 2, 4],
        [6, 8, 10],
      ],
      [
        [12, 14, 16],
        [18, 20, 22],
      ],
    ]);
    const b = np.broadcastTo(f64([1, 2]), [3, 2]);
    const bb = np.reshape(b, [3, 1, 2]);
    expect(bb.buffer).toBe(b.buffer);
    expectArray(bb, [[[1, 2]], [[1, 2]], [[1, 2]]]);
  });

  it("copies when the strides cannot describe the new shape", () => {
    const t = np.transpose(seq([3, 4]));
    const flat = np.reshape(t, [12]);
    expect(flat.buffer).not.toBe(t.buffer);
    expectArray(flat, [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    const rev = np.reshape(np.slice(seq([2, 3]), "::-1, ::-1"), [6]);
    expectArray(rev, [5, 4, 3, 2, 1, 0]);
  });

  it("throws naming reshape and both shapes", () => {
    expectError(() => np.reshape(seq([2, 3]), [4]), np.ShapeError, "reshape", "[2, 3]", "[4]");
    expectError(() => np.reshape(seq([2, 3]), [-1, -1]), np.ShapeError, "reshape", "[-1, -1]");
    expectError(() => np.reshape(seq([2, 3]), [-1, 4]), np.ShapeError, "reshape", "[2, 3]", "[-1, 4]");
    expectError(() => np.reshape(seq([2, 3]), [2.5, 2]), np.ShapeError, "reshape", "2.5");
  });
});

describe(`transpose and permute [${backendName}]`, () => {
  const x = seq([2, 3, 4]);

  it("permute reorders axes as a view", () => {
    const p = np.permute(x, [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.buffer).toBe(x.buffer);
    for (const [i, j, k] of [
      [0, 0, 0],
      [3, 1, 2],
      [1, 0, 2],
    ] as const)
      expect(at(p, [i, j, k])).toBe(j * 12 + k * 4 + i);
    expect(np.permute(x, [-3, -2, -1])).toBe(x);
  });

  it("transpose reverses axes (or applies a permutation); .T and .mT", () => {
    const t = np.transpose(x);
    expect(t.shape).toEqual([4, 3, 2]);
    expect(at(t, [3, 2, 1])).toBe(1 * 12 + 2 * 4 + 3);
    expect(x.T.shape).toEqual([4, 3, 2]);
    expect(np.transpose(x, [0, 2, 1]).shape).toEqual([2, 4, 3]);
    const m = np.mT(x);
    expect(m.shape).toEqual([2, 4, 3]);
    expect(at(m, [1, 3, 2])).toBe(12 + 2 * 4 + 3);
    expect(x.mT.buffer).toBe(x.buffer);
    expectArray(np.transpose(f64([1, 2])), [1, 2]);
  });

  it("throws for a non-permutation, naming permute and the shape", () => {
    expectError(() => np.permute(x, [0, 0, 1]), RangeError, "permute", "[0, 0, 1]", "[2, 3, 4]");
    expectError(() => np.permute(x, [0, 1]), RangeError, "permute", "[0, 1]");
    expectError(() => np.permute(x, [0, 1, 3]), RangeError, "permute", "3");
    expectError(() => np.mT(f64([1])), np.ShapeError, "mT", "[1]");
  });
});

describe(`broadcastTo / expand [${backendName}]`, () => {
  it("repeats with stride 0 and shares the buffer", () => {
    const x = f64([[1], [2]]);
    const b = np.broadcastTo(x, [3, 2, 4]);
    expect(b.strides).toEqual([0, 1, 0]);
    expect(b.buffer).toBe(x.buffer);
    expectArray(np.slice(b, "2"), [
      [1, 1, 1, 1],
      [2, 2, 2, 2],
    ]);
    expect(np.expand).toBe(np.broadcastTo);
    expect(np.broadcastTo(x, [2, 1])).toBe(x);
    expect(x.broadcastTo([2, 0]).shape).toEqual([2, 0]);
  });

  it("throws naming broadcastTo and both shapes", () => {
    expectError(() => np.broadcastTo(seq([2, 3]), [3, 3]), np.ShapeError, "broadcastTo", "[2, 3]", "[3, 3]");
    expectError(() => np.broadcastTo(seq([2, 3]), [3]), np.ShapeError, "broadcastTo", "[2, 3]", "[3]");
    expectError(() => np.broadcastTo(seq([1]), [-2]), np.ShapeError, "broadcastTo", "[-2]");
  });
});

describe(`squeeze, unsqueeze, flatten [${backendName}]`, () => {
  it("squeeze removes size-1 axes (all or the given ones), as views", () => {
    const x = seq([1, 3, 1, 2]);
    expect(np.squeeze(x).shape).toEqual([3, 2]);
    expect(np.squeeze(x, 0).shape).toEqual([3, 1, 2]);
    expect(np.squeeze(x, [-2, 0]).shape).toEqual([3, 2]);
    expect(np.squeeze(x).buffer).toBe(x.buffer);
    const t = np.transpose(x); // strided: squeeze must still not copy
    expect(np.squeeze(t).buffer).toBe(x.buffer);
    expectArray(np.squeeze(t), [
      [0, 2, 4],
      [1, 3, 5],
    ]);
    expectError(() => np.squeeze(x, 1), np.ShapeError, "squeeze", "axis 1", "[1, 3, 1, 2]");
    expectError(() => np.squeeze(x, 4), RangeError, "squeeze", "4");
  });

  it("unsqueeze / expandDims insert an axis (negative counts from the end of the result)", () => {
    const x = seq([2, 3]);
    expect(np.unsqueeze(x, 0).shape).toEqual([1, 2, 3]);
    expect(np.unsqueeze(x, -1).shape).toEqual([2, 3, 1]);
    expect(np.expandDims(x, 1).shape).toEqual([2, 1, 3]);
    const t = np.unsqueeze(np.transpose(x), 1);
    expect(t.buffer).toBe(x.buffer);
    expectArray(t, [[[0, 3]], [[1, 4]], [[2, 5]]]);
    expectError(() => np.unsqueeze(x, 3), RangeError, "unsqueeze", "3");
  });

  it("flatten joins axes start..end", () => {
    const x = seq([2, 3, 4]);
    expect(np.flatten(x).shape).toEqual([24]);
    expect(np.flatten(x, 1).shape).toEqual([2, 12]);
    expect(np.flatten(x, 0, 1).shape).toEqual([6, 4]);
    expect(np.flatten(f64(5)).shape).toEqual([1]);
    expectArray(np.flatten(np.transpose(seq([2, 2]))), [0, 2, 1, 3]);
    expectError(() => np.flatten(x, 2, 1), RangeError, "flatten", "2", "1");
  });
});

describe(`contiguous and data [${backendName}]`, () => {
  it("contiguous returns the array itself when it already is contiguous", () => {
    const x = seq([3, 4]);
    expect(np.contiguous(x)).toBe(x);
    const rows = np.slice(x, "1:"); // contiguous, with an offset
    expect(rows.isContiguous).toBe(true);
    expect(np.contiguous(rows)).toBe(rows);
    expect(np.contiguous(np.slice(x, ":, 1:2")).isContiguous).toBe(true);
  });

  it("contiguous copies strided views into a fresh row-major buffer", () => {
    const x = seq([3, 4]);
    for (const v of [
      np.transpose(x),
      np.slice(x, "::-1"),
      np.slice(x, ":, ::2"),
      np.broadcastTo(f64([1, 2]), [2, 2]),
    ]) {
      expect(v.isContiguous).toBe(false);
      const c = np.contiguous(v);
      expect(c.isContiguous).toBe(true);
      expect(c.buffer).not.toBe(v.buffer);
      expect(c.strides).toEqual(np.contiguousStrides(v.shape));
      expect(values(c)).toEqual(values(v));
      expect(v.contiguous().shape).toEqual(v.shape);
    }
  });

  it("data shares memory when it can and copies otherwise; toTypedArray always copies", () => {
    const x = seq([2, 3]);
    expect(x.dataSync()).toBe(x.buffer);
    const row = np.slice(x, "1");
    expect(row.dataSync().buffer).toBe(x.buffer.buffer);
    expect(Array.from(row.dataSync())).toEqual([3, 4, 5]);
    const t = np.transpose(x);
    expect(Array.from(t.dataSync())).toEqual([0, 3, 1, 4, 2, 5]);
    const copy = x.toTypedArray();
    expect(copy).not.toBe(x.buffer);
    expect(copy.buffer).not.toBe(x.buffer.buffer);
    expect(Array.from(copy)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(np.slice(x, "1").toTypedArray())).toEqual([3, 4, 5]);
  });
});

describe(`sumTo [${backendName}]`, () => {
  it("sums a broadcast result back to the original shape", () => {
    const g = seq([2, 3, 4]); // g[i, j, k] = 12i + 4j + k
    // Σ_i Σ_k (12i + 4j + k) = 4·12 + 8·4j + 2·6 = 60 + 32j
    expectArray(np.sumTo(g, [3, 1]), [[60], [92], [124]]);
    // Σ_i Σ_j (12i + 4j + k) = 3·12 + 2·12 + 6k = 60 + 6k
    expectArray(np.sumTo(g, [4]), [60, 66, 72, 78]);
    expect(np.sumTo(g, [2, 3, 4])).toBe(g);
    expectArray(np.sumTo(g, []), 276);
  });

  it("throws when the shape does not broadcast to the array's", () => {
    expectError(() => np.sumTo(seq([2, 3]), [2]), np.ShapeError, "sumTo", "[2, 3]", "[2]");
    expectError(() => np.sumTo(seq([3]), [2, 3]), np.ShapeError, "sumTo", "[3]", "[2, 3]");
  });
});
