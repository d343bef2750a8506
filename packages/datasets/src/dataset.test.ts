import { NDArray } from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { DataLoader } from "./data-loader";
import { Dataset } from "./dataset";

/** x row i is [i, 100 + i]; y[i] = i: so a batch shows which rows it holds. */
function numbered(n: number) {
  const x = new NDArray(
    Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 ? 100 : 0) + (k >> 1)),
    [n, 2],
    "float32",
  );
  const y = new NDArray(
    Int32Array.from({ length: n }, (_, i) => i),
    [n],
    "int32",
  );
  return { x, y };
}

const ids = (batch: { y: NDArray }) => Array.from(batch.y.dataSync());

describe("Dataset", () => {
  it("yields rows as views of the source arrays", () => {
    const ds = Dataset.fromArrays(numbered(3));
    expect(ds.length).toBe(3);
    const rows = ds.toArray();
    expect(rows.map((r) => r.x.toArray())).toEqual([
      [0, 100],
      [1, 101],
      [2, 102],
    ]);
    expect(rows[1]!.y.shape).toEqual([]);
  });

  it("batches rows in order, with and without the short last batch", () => {
    const data = numbered(10);
    const batches = Dataset.fromArrays(data).batch(4).toArray();
    expect(batches.map(ids)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(batches[0]!.x.shape).toEqual([4, 2]);
    expect(batches[0]!.x.toArray()).toEqual([
      [0, 100],
      [1, 101],
      [2, 102],
      [3, 103],
    ]);
    const dropped = Dataset.fromArrays(data).batch(4, { dropLast: true });
    expect(dropped.length).toBe(2);
    expect(dropped.toArray().map(ids)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it("keeps x and y rows together when shuffled, and copies only batches", () => {
    const data = numbered(50);
    for (const batch of Dataset.fromArrays(data).shuffle({ seed: 1 }).batch(8)) {
      expect(batch.x.buffer).not.toBe(data.x.buffer);
      ids(batch).forEach((id, r) =>
        expect([batch.x.dataSync()[2 * r], batch.x.dataSync()[2 * r + 1]]).toEqual([id, 100 + id]),
      );
    }
  });

  it("shuffles the same way for the same seed, and differently on each pass", () => {
    const order = (seed: number) => Dataset.fromArrays(numbered(30)).shuffle({ seed }).batch(30);
    const a = order(5);
    const [epoch0] = a.toArray().map(ids);
    const [epoch1] = a.toArray().map(ids);
    expect([...epoch0!].sort((p, q) => p - q)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(epoch1).not.toEqual(epoch0);
    const b = order(5);
    expect(b.toArray().map(ids)[0]).toEqual(epoch0);
    expect(b.toArray().map(ids)[0]).toEqual(epoch1);
    expect(order(6).toArray().map(ids)[0]).not.toEqual(epoch0);
  });

  it("applies map per element before batch and per batch after it", () => {
    const perRow = Dataset.fromArrays(numbered(4))
      .map(({ x, y }) => ({ x, y, twice: new NDArray(Int32Array.of(2 * y.item()), [], "int32") }))
      .batch(2)
      .toArray();
    expect(perRow.map((b) => Array.from(b.twice.dataSync()))).toEqual([
      [0, 2],
      [4, 6],
    ]);
    const perBatch = Dataset.fromArrays(numbered(4))
      .batch(2)
      .map((b) => b.y.shape[0])
      .toArray();
    expect(perBatch).toEqual([2, 2]);
  });

  it("repeats, reshuffling each time, and takes", () => {
    const ds = Dataset.fromArrays(numbered(6)).shuffle({ seed: 3 }).batch(6).repeat(3);
    expect(ds.length).toBe(3);
    const epochs = ds.toArray().map(ids);
    expect(epochs).toHaveLength(3);
    expect(new Set(epochs.map(String)).size).toBe(3);
    const endless = Dataset.fromArrays(numbered(2)).repeat().take(5);
    expect(endless.toArray().map((r) => r.y.item())).toEqual([0, 1, 0, 1, 0]);
    expect(() => Dataset.fromArrays(numbered(2)).repeat().toArray()).toThrow(/forever/);
  });

  it("streams from generators, with a buffered shuffle", () => {
    const make = () =>
      Dataset.fromGenerator(function* () {
        for (let i = 0; i < 20; i++) yield { y: new NDArray(Int32Array.of(i), [], "int32") };
      });
    expect(make().length).toBeUndefined();
    const plain = make().batch(8).toArray().map(ids);
    expect(plain).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7],
      [8, 9, 10, 11, 12, 13, 14, 15],
      [16, 17, 18, 19],
    ]);
    const shuffled = make()
      .shuffle({ seed: 1, bufferSize: 5 })
      .toArray()
      .map((e) => e.y.item());
    expect(shuffled).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect([...shuffled].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(
      make()
        .filter((e) => e.y.item() % 5 === 0)
        .toArray().length,
    ).toBe(4);
  });

  it("iterates with for await", async () => {
    const seen: number[] = [];
    for await (const batch of Dataset.fromArrays(numbered(5)).batch(2)) seen.push(...ids(batch));
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it("rejects arrays with different row counts and bad sizes", () => {
    const { x } = numbered(3);
    const y = new NDArray(new Int32Array(4), [4], "int32");
    expect(() => Dataset.fromArrays({ x, y })).toThrow(/'y' has shape \[4\]/);
    expect(() => Dataset.fromArrays({ x }).batch(0)).toThrow(/size/);
  });

  it("works on tuples too", () => {
    const { x, y } = numbered(4);
    const [bx, by] = Dataset.fromArrays([x, y] as const)
      .batch(3)
      .toArray()[1]!;
    expect(bx.shape).toEqual([1, 2]);
    expect(Array.from(by.dataSync())).toEqual([3]);
  });
});

describe("DataLoader", () => {
  it("is shuffle + batch with a batch count, one epoch per loop", () => {
    const loader = new DataLoader(numbered(10), { batchSize: 3, shuffle: true, seed: 42, dropLast: true });
    expect(loader.length).toBe(3);
    const first = [...loader].map(ids);
    const second = [...loader].map(ids);
    expect(loader.epoch).toBe(2);
    expect(first.flat()).toHaveLength(9);
    expect(first).not.toEqual(second);
    const again = new DataLoader(Dataset.fromArrays(numbered(10)), {
      batchSize: 3,
      shuffle: true,
      seed: 42,
      dropLast: true,
    });
    expect([...again].map(ids)).toEqual(first);
  });

  it("keeps order without shuffle", () => {
    const loader = new DataLoader(numbered(5), { batchSize: 2 });
    expect([...loader].map(ids)).toEqual([[0, 1], [2, 3], [4]]);
  });
});
