import { describe, expect, it } from "vitest";
import { checkGrid, contourSegments, gridCells, sampleGrid } from "./grid.js";

describe("sampleGrid", () => {
  it("lays values out row-major, one row per y", () => {
    const g = sampleGrid((x, y) => 10 * y + x, { x: [0, 2], y: [0, 1], nx: 3, ny: 2 });
    expect(g.xs).toEqual([0, 1, 2]);
    expect(g.ys).toEqual([0, 1]);
    expect(Array.from(g.values)).toEqual([0, 1, 2, 10, 11, 12]);
  });
});

describe("gridCells", () => {
  it("centres cells on the samples and spans the whole grid", () => {
    const g = checkGrid("t", { xs: [0, 1, 2], ys: [0, 2], values: [1, 2, 3, 4, 5, NaN] });
    const { cells, xDomain, yDomain } = gridCells(g, 1e9, 1e9);
    expect(xDomain).toEqual([-0.5, 2.5]);
    expect(yDomain).toEqual([-1, 3]);
    expect(cells).toHaveLength(5); // the NaN sample is left out
    expect(cells[0]!.x).toBe(-0.5);
    expect(cells[0]!.x2).toBeCloseTo(0.5);
  });
});

describe("contourSegments", () => {
  it("finds the straight iso-line of a linear function", () => {
    const g = checkGrid(
      "t",
      sampleGrid((x) => x, { x: [0, 1], y: [0, 1], n: 5 }),
    );
    const segments = contourSegments(g, [0.6]);
    expect(segments).toHaveLength(4); // one per row of cells
    for (const s of segments) {
      expect(s.x).toBeCloseTo(0.6);
      expect(s.x2).toBeCloseTo(0.6);
    }
  });

  it("closes a loop around a minimum", () => {
    const g = checkGrid(
      "t",
      sampleGrid((x, y) => x * x + y * y, { x: [-1, 1], y: [-1, 1], n: 21 }),
    );
    const segments = contourSegments(g, [0.25]);
    expect(segments.length).toBeGreaterThan(8);
    for (const s of segments) expect(Math.hypot(s.x, s.y)).toBeCloseTo(0.5, 1);
  });
});
