import { array, NDArray } from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { trainTestSplit, trainTestSplitIndices } from "./split";

function histogram(labels: ArrayLike<number>): Record<number, number> {
  const out: Record<number, number> = {};
  for (const l of Array.from(labels)) out[l] = (out[l] ?? 0) + 1;
  return out;
}

describe("trainTestSplit", () => {
  const n = 100;
  const x = new NDArray(
    Float32Array.from({ length: n * 2 }, (_, i) => i),
    [n, 2],
    "float32",
  );
  // 70 of class 0, 20 of class 1, 10 of class 2
  const y = new NDArray(
    Int32Array.from({ length: n }, (_, i) => (i < 70 ? 0 : i < 90 ? 1 : 2)),
    [n],
    "int32",
  );

  it("splits rows into disjoint sets that cover the data, keeping x and y aligned", () => {
    const { xTrain, xTest, yTrain, yTest } = trainTestSplit(x, y, { testSize: 0.25, seed: 1 });
    expect(xTrain.shape).toEqual([75, 2]);
    expect(xTest.shape).toEqual([25, 2]);
    expect(yTest.shape).toEqual([25]);
    const rowsOf = (a: NDArray) => Array.from({ length: a.shape[0]! }, (_, i) => a.dataSync()[2 * i]! / 2);
    const all = [...rowsOf(xTrain), ...rowsOf(xTest)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
    rowsOf(xTest).forEach((row, i) => expect(yTest.dataSync()[i]).toBe(y.dataSync()[row]));
  });

  it("keeps class proportions when stratified", () => {
    const { yTrain, yTest } = trainTestSplit(x, y, { testSize: 0.3, seed: 2, stratify: true });
    expect(histogram(yTest.dataSync())).toEqual({ 0: 21, 1: 6, 2: 3 });
    expect(histogram(yTrain.dataSync())).toEqual({ 0: 49, 1: 14, 2: 7 });
  });

  it("gives largest remainders the leftover rows when shares are not whole", () => {
    const { test } = trainTestSplitIndices(n, { testSize: 0.25, seed: 3, stratify: y.dataSync() });
    // exact shares 17.5, 5, 2.5 → 18, 5, 2 (the larger class wins the tie)
    expect(histogram(Array.from(test, (i) => y.dataSync()[i]!))).toEqual({ 0: 18, 1: 5, 2: 2 });
  });

  it("is deterministic for a seed", () => {
    const a = trainTestSplitIndices(n, { seed: 9 });
    const b = trainTestSplitIndices(n, { seed: 9 });
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(Array.from(trainTestSplitIndices(n, { seed: 10 }).test)).not.toEqual(Array.from(a.test));
  });

  it("takes the last rows as the test set without shuffling", () => {
    const { test } = trainTestSplitIndices(10, { testSize: 3, shuffle: false });
    expect(Array.from(test)).toEqual([7, 8, 9]);
  });

  it("rejects splits that leave a set empty or mismatched inputs", () => {
    expect(() => trainTestSplit(x, y, { testSize: 100 })).toThrow(/testSize/);
    expect(() => trainTestSplit(x, array([1, 2, 3]), {})).toThrow(/same number of rows/);
  });
});
