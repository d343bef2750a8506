import { describe, expect, it } from "vitest";
import { makeBlobs, makeCircles, makeMoons } from "./synthetic";

function rows(x: { dataSync(): ArrayLike<number>; shape: readonly number[] }): number[][] {
  const d = x.shape[1]!;
  return Array.from({ length: x.shape[0]! }, (_, i) =>
    Array.from({ length: d }, (_, j) => x.dataSync()[i * d + j]!),
  );
}

describe("makeMoons", () => {
  it("puts noiseless points exactly on the two half circles", () => {
    const { x, y } = makeMoons({ nSamples: 101, noise: 0, seed: 1, dtype: "float64" });
    expect(x.shape).toEqual([101, 2]);
    expect(y.dtype).toBe("int32");
    const labels = Array.from(y.dataSync());
    expect(labels.filter((l) => l === 0)).toHaveLength(50); // floor(101 / 2) outer points
    expect(labels.filter((l) => l === 1)).toHaveLength(51);
    rows(x).forEach(([px, py], i) => {
      if (labels[i] === 0) {
        expect(Math.hypot(px!, py!)).toBeCloseTo(1, 12);
        expect(py!).toBeGreaterThanOrEqual(-1e-12);
      } else {
        expect(Math.hypot(px! - 1, py! - 0.5)).toBeCloseTo(1, 12);
        expect(py!).toBeLessThanOrEqual(0.5 + 1e-12);
      }
    });
  });

  it("matches scikit-learn's point order without shuffling", () => {
    const { x, y } = makeMoons({ nSamples: 4, shuffle: false, dtype: "float64" });
    const p = rows(x);
    expect(Array.from(y.dataSync())).toEqual([0, 0, 1, 1]);
    // outer: t = 0, π; inner: (1 - cos t, 0.5 - sin t) at t = 0, π
    [
      [1, 0],
      [-1, 0],
      [0, 0.5],
      [2, 0.5],
    ].forEach((want, i) => want.forEach((v, j) => expect(p[i]![j]!).toBeCloseTo(v, 12)));
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const a = makeMoons({ nSamples: 50, noise: 0.1, seed: 7 });
    const b = makeMoons({ nSamples: 50, noise: 0.1, seed: 7 });
    const c = makeMoons({ nSamples: 50, noise: 0.1, seed: 8 });
    expect(Array.from(a.x.dataSync())).toEqual(Array.from(b.x.dataSync()));
    expect(Array.from(a.y.dataSync())).toEqual(Array.from(b.y.dataSync()));
    expect(Array.from(a.x.dataSync())).not.toEqual(Array.from(c.x.dataSync()));
  });

  it("adds noise of the requested standard deviation", () => {
    const clean = makeMoons({ nSamples: 4000, noise: 0, seed: 3, dtype: "float64" });
    const noisy = makeMoons({ nSamples: 4000, noise: 0.2, seed: 3, dtype: "float64" });
    // Same seed: same shuffle, so the difference is the noise alone.
    const diff = Array.from(noisy.x.dataSync(), (v, i) => v - clean.x.dataSync()[i]!);
    const mean = diff.reduce((a, b) => a + b, 0) / diff.length;
    const std = Math.sqrt(diff.reduce((a, b) => a + (b - mean) ** 2, 0) / diff.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(std).toBeCloseTo(0.2, 1);
  });

  it("rejects bad options", () => {
    expect(() => makeMoons({ nSamples: -1 })).toThrow(/nSamples/);
    expect(() => makeMoons({ noise: -0.1 })).toThrow(/noise/);
    expect(() => makeMoons({ dtype: "int32" })).toThrow(/dtype/);
  });
});

describe("makeCircles", () => {
  it("puts the classes on circles of radius 1 and factor", () => {
    const { x, y } = makeCircles({ nSamples: 60, factor: 0.5, seed: 2, dtype: "float64" });
    rows(x).forEach(([px, py], i) =>
      expect(Math.hypot(px!, py!)).toBeCloseTo(y.dataSync()[i] === 0 ? 1 : 0.5, 12),
    );
    expect(Array.from(y.dataSync()).filter((l) => l === 1)).toHaveLength(30);
    expect(() => makeCircles({ factor: 1 })).toThrow(/factor/);
  });
});

describe("makeBlobs", () => {
  it("spreads samples over the given centres with the given spread", () => {
    const centers = [
      [0, 0],
      [10, 10],
      [-10, 5],
    ];
    const {
      x,
      y,
      centers: c,
    } = makeBlobs({ nSamples: 3001, centers, clusterStd: 0.5, seed: 4, dtype: "float64" });
    expect(x.shape).toEqual([3001, 2]);
    expect(c.toArray()).toEqual(centers);
    const counts = [0, 0, 0];
    const sums = centers.map(() => [0, 0]);
    rows(x).forEach((p, i) => {
      const k = y.dataSync()[i]!;
      counts[k]!++;
      sums[k]![0]! += p[0]!;
      sums[k]![1]! += p[1]!;
    });
    expect(counts).toEqual([1001, 1000, 1000]);
    sums.forEach((s, k) => s.forEach((v, j) => expect(v / counts[k]!).toBeCloseTo(centers[k]![j]!, 1)));
  });

  it("draws random centres inside the box when given a count", () => {
    const { x, centers } = makeBlobs({ nSamples: 10, centers: 4, nFeatures: 3, centerBox: [-1, 1], seed: 5 });
    expect(x.shape).toEqual([10, 3]);
    expect(centers.shape).toEqual([4, 3]);
    for (const v of centers.dataSync()) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    expect(() => makeBlobs({ centers: 2, clusterStd: [1, 2, 3] })).toThrow(/clusterStd/);
  });
});
