import { describe, expect, it } from "vitest";
import {
  confusionMatrix,
  decisionBoundary,
  heatmap2d,
  imageGrid,
  lineChart,
  sampleGrid,
  scatterPlot,
} from "./node.js";

const grid = { xs: [0, 1, 2, 3], ys: [0, 1, 2], values: new Array(12).fill(0.5) };

describe("bad input gives errors naming the function and the sizes", () => {
  it("lineChart: x and y lengths differ", () => {
    expect(() => lineChart({ series: [{ name: "train", x: [0, 1, 2], y: [1, 2] }] })).toThrow(
      'plot.lineChart: series "train" x has length 3 but y has length 2',
    );
  });

  it("lineChart: logY with a non-positive value", () => {
    expect(() => lineChart({ series: { y: [1, 0] }, logY: true })).toThrow(
      /plot\.lineChart: logY needs y > 0.*y\[1\] = 0/,
    );
  });

  it("lineChart: no series, duplicate names", () => {
    expect(() => lineChart({ series: [] })).toThrow(/plot\.lineChart: series must contain/);
    expect(() =>
      lineChart({
        series: [
          { name: "a", y: [1] },
          { name: "a", y: [2] },
        ],
      }),
    ).toThrow(/distinct/);
  });

  it("scatterPlot: column lengths differ", () => {
    expect(() => scatterPlot({ points: { x: [1, 2, 3], y: [1, 2, 3], labels: [0, 1] } })).toThrow(
      "plot.scatterPlot: points.x has length 3 but points.labels has length 2",
    );
    expect(() => scatterPlot({ points: { x: [1, 2], y: [1] } })).toThrow(
      "plot.scatterPlot: points.x has length 2 but points.y has length 1",
    );
  });

  it("scatterPlot: a label missing from classes", () => {
    expect(() => scatterPlot({ points: [{ x: 0, y: 0, label: "dog" }], classes: ["cat"] })).toThrow(
      "plot.scatterPlot: labels dog are not in classes [cat]",
    );
  });

  it("heatmap2d and decisionBoundary: grid size mismatch", () => {
    const bad = { ...grid, values: new Array(11).fill(0) };
    expect(() => heatmap2d({ grid: bad })).toThrow(
      "plot.heatmap2d: grid.values has length 11 but ys.length x xs.length = 3 x 4 = 12",
    );
    expect(() => decisionBoundary({ grid: bad, points: [] })).toThrow(
      /^plot\.decisionBoundary: grid\.values has length 11/,
    );
  });

  it("heatmap2d: unsorted coordinates, path lengths", () => {
    expect(() => heatmap2d({ grid: { ...grid, xs: [0, 2, 1, 3] } })).toThrow(
      "plot.heatmap2d: grid.xs must be strictly increasing (index 2: 2 then 1)",
    );
    expect(() => heatmap2d({ grid, paths: [{ name: "p", x: [1, 2], y: [1] }] })).toThrow(
      "plot.heatmap2d: paths[0].x has length 2 but paths[0].y has length 1",
    );
  });

  it("decisionBoundary: probabilities outside [0, 1]", () => {
    const values = [...grid.values.slice(1), 1.5];
    expect(() => decisionBoundary({ grid: { ...grid, values }, points: [] })).toThrow(
      /must lie in \[0, 1\], got 1\.5/,
    );
  });

  it("confusionMatrix: shape does not match the labels", () => {
    expect(() => confusionMatrix({ labels: ["a", "b"], matrix: [[1, 2]] })).toThrow(
      "plot.confusionMatrix: matrix has 1 rows but there are 2 labels",
    );
    expect(() => confusionMatrix({ labels: ["a", "b"], matrix: [[1, 2], [3]] })).toThrow(
      "plot.confusionMatrix: matrix row 1 has length 1 but there are 2 labels",
    );
  });

  it("imageGrid: pixel data of the wrong length", async () => {
    await expect(
      imageGrid({ images: [{ data: new Uint8Array(28 * 28), width: 28, height: 28, channels: 3 }] }),
    ).rejects.toThrow(
      "plot.imageGrid: images[0].data has length 784 but width x height x channels = 28 x 28 x 3 = 2352",
    );
    await expect(imageGrid({ images: [] })).rejects.toThrow("plot.imageGrid: images must not be empty");
  });

  it("sampleGrid: too few samples", () => {
    expect(() => sampleGrid(() => 0, { x: [0, 1], y: [0, 1], n: 1 })).toThrow(/plot\.sampleGrid/);
  });
});
