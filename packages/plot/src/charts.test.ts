import { describe, expect, it } from "vitest";
import {
  confusionMatrix,
  decisionBoundary,
  heatmap2d,
  lineChart,
  sampleGrid,
  scatterPlot,
  toPng,
  toSvg,
} from "./node.js";
import { expectSvg, pngInfo } from "./testing.js";
import type { Chart } from "./types.js";

/** Renders SVG and PNG, checks both, and returns the SVG text and PNG size. */
async function render(chart: Chart) {
  const svg = await toSvg(chart);
  expectSvg(svg);
  const size = await pngInfo(await toPng(chart));
  return { svg, ...size };
}

const moons = {
  x: [0, 0.5, 1, 1.5, 2, 0.2, 0.8, 1.7],
  y: [0.9, 1, 0.4, -0.4, 0.2, -0.1, -0.5, 0.5],
  labels: [0, 0, 0, 1, 1, 1, 1, 0],
};

describe("lineChart", () => {
  it("draws several series with title, axis titles and legend", async () => {
    const chart = lineChart({
      title: "Loss per epoch",
      xLabel: "epoch",
      yLabel: "cross-entropy",
      series: [
        { name: "train", y: [1, 0.5, 0.3, 0.2] },
        { name: "test", x: new Float64Array([0, 1, 2, 3]), y: [1.1, 0.7, 0.5, 0.45] },
      ],
    });
    const { svg, width, height } = await render(chart);
    for (const text of ["Loss per epoch", "epoch", "cross-entropy", "train", "test"])
      expect(svg).toContain(text);
    // ~600x400 plot area plus axes and legend, rendered at 2x (144 dpi).
    expect(width).toBeGreaterThan(1200);
    expect(width).toBeLessThan(1800);
    expect(height).toBeGreaterThan(800);
    expect(height).toBeLessThan(1100);
  });

  it("supports a log y axis and skips non-finite values", async () => {
    const chart = lineChart({ title: "Cost", series: { y: [10, 1, NaN, 0.1, 0.01] }, logY: true });
    expect((chart.spec.data as { values: unknown[] }).values).toHaveLength(4);
    const { svg } = await render(chart);
    expect(svg).toContain("Cost");
  });
});

describe("scatterPlot", () => {
  it("colours points by label and shows a legend", async () => {
    const chart = scatterPlot({
      title: "make_moons",
      xLabel: "x1",
      yLabel: "x2",
      points: moons,
      labelTitle: "class",
    });
    const { svg, width, height } = await render(chart);
    for (const text of ["make_moons", "x1", "x2", "class"]) expect(svg).toContain(text);
    expect(svg).toMatch(/>0<\/text>/);
    expect(svg).toMatch(/>1<\/text>/);
    expect(width).toBeGreaterThan(1200);
    expect(height).toBeGreaterThan(800);
  });

  it("accepts point objects without labels", async () => {
    const { svg } = await render(
      scatterPlot({
        points: [
          { x: 1, y: 2 },
          { x: 2, y: 3 },
        ],
        title: "plain",
      }),
    );
    expect(svg).toContain("plain");
  });
});

describe("decisionBoundary", () => {
  const grid = sampleGrid((x, y) => 1 / (1 + Math.exp(-3 * (x - y))), { x: [-1, 2.5], y: [-1, 1.5], n: 20 });

  it("draws probabilities with a 0.5 boundary under the points", async () => {
    const chart = decisionBoundary({ title: "Boundary", grid, points: moons, xLabel: "x1", yLabel: "x2" });
    const { svg, width } = await render(chart);
    for (const text of ["Boundary", "x1", "x2", "P(1)", "class"]) expect(svg).toContain(text);
    expect(svg).toContain('class="mark-rule'); // the boundary line
    expect(width).toBeGreaterThan(1200);
  });

  it("follows the given class order", async () => {
    const points = { x: moons.x, y: moons.y, labels: moons.labels.map((l) => (l ? "cat" : "non-cat")) };
    const chart = decisionBoundary({ grid, points, classes: ["non-cat", "cat"] });
    const { svg } = await render(chart);
    expect(svg).toContain("P(cat)");
  });

  it("reads integer grids as class indices", async () => {
    const classes = { ...grid, values: Array.from(grid.values, (v) => (v > 0.5 ? 1 : 0)) };
    const chart = decisionBoundary({ title: "Classes", grid: classes, points: moons });
    const { svg } = await render(chart);
    expect(svg).toContain("Classes");
    expect(svg).not.toContain("P(1)");
  });
});

describe("heatmap2d", () => {
  it("draws a log-coloured function with contours, paths, start markers and labelled markers", async () => {
    const f = (x: number, y: number) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2;
    const chart = heatmap2d({
      title: "Himmelblau",
      grid: sampleGrid(f, { x: [-6, 6], y: [-6, 6], n: 30 }),
      logColor: true,
      paths: [{ name: "run A", x: [-5, -3, -2.8], y: [5, 3.5, 3.1] }],
      markers: [{ x: 3, y: 2, label: "minimum" }],
    });
    const { svg, width, height } = await render(chart);
    for (const text of ["Himmelblau", "f(x, y)", "run A", "minimum", "path"]) expect(svg).toContain(text);
    expect(svg).toContain('class="mark-rule'); // contour lines
    expect(width).toBeGreaterThan(1000);
    expect(height).toBeGreaterThan(1000);
  });

  it("can leave out contours", () => {
    const chart = heatmap2d({
      grid: sampleGrid((x, y) => x + y, { x: [0, 1], y: [0, 1], n: 5 }),
      contours: 0,
    });
    expect((chart.spec.layer as unknown[]).length).toBe(1);
  });
});

describe("confusionMatrix", () => {
  it("writes counts and class names", async () => {
    const chart = confusionMatrix({
      title: "Confusion",
      labels: ["cat", "dog", "bird"],
      matrix: [
        [50, 2, 3],
        [4, 41, 0],
        [1, 7, 1234],
      ],
    });
    const { svg, width, height } = await render(chart);
    for (const text of [
      "Confusion",
      "cat",
      "dog",
      "bird",
      "predicted label",
      "true label",
      ">1234<",
      ">41<",
    ]) {
      expect(svg).toContain(text);
    }
    expect(width).toBeGreaterThan(500);
    expect(height).toBeGreaterThan(500);
  });
});
