import { confusionMatrix } from "./confusion.js";
import { decisionBoundary } from "./decision.js";
import { sampleGrid } from "./grid.js";
import { heatmap2d } from "./heatmap2d.js";
import { imageGrid } from "./imageGrid.js";
import { lineChart } from "./line.js";
import { scatterPlot } from "./scatter.js";
import type { Chart } from "./types.js";

/** Deterministic pseudo-random numbers for the example data. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** One realistic chart per chart type, shaped like the demo apps' data. Used by tests and for eyeballing. */
export async function exampleCharts(): Promise<Record<string, Chart>> {
  const r = rng(42);
  const epochs = 40;
  const train = Array.from({ length: epochs }, (_, i) => 0.7 * Math.exp(-i / 8) + 0.05 + 0.01 * r());
  const test = train.map((v, i) => v + 0.03 + 0.002 * i);

  const moons: { x: number; y: number; label: number }[] = [];
  for (let i = 0; i < 200; i++) {
    const t = Math.PI * r();
    const label = i % 2;
    const x = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const y = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    moons.push({ x: x + 0.15 * (r() - 0.5), y: y + 0.15 * (r() - 0.5), label });
  }
  const prob = sampleGrid((x, y) => 1 / (1 + Math.exp(-4 * (y - 0.25 - 0.5 * Math.sin(2.5 * (x - 0.5))))), {
    x: [-1.5, 2.5],
    y: [-1, 1.5],
    n: 80,
  });
  prob.values = Array.from(prob.values, (v) => 1 - v);

  const centroids = [
    [-1.5, -1],
    [1.5, -1],
    [0, 1.5],
  ] as const;
  const nearest = (cs: readonly (readonly [number, number])[], x: number, y: number) => {
    const d = cs.map(([cx, cy]) => Math.hypot(x - cx, y - cy));
    return d.indexOf(Math.min(...d));
  };
  const names = ["setosa", "versicolor", "virginica"];
  const blobs = Array.from({ length: 90 }, (_, i) => {
    const [cx, cy] = centroids[i % 3]!;
    return { x: cx + 1.4 * (r() - 0.5), y: cy + 1.4 * (r() - 0.5), label: names[i % 3]! };
  });

  const himmelblau = (x: number, y: number) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2;
  const paths = [
    [-5, 5],
    [5, 5],
    [-1, -5],
    [0.5, 0],
  ].map(([x0, y0], k) => {
    const xs = [x0!];
    const ys = [y0!];
    for (let i = 0; i < 60; i++) {
      const x = xs[xs.length - 1]!;
      const y = ys[ys.length - 1]!;
      const gx = 4 * x * (x * x + y - 11) + 2 * (x + y * y - 7);
      const gy = 2 * (x * x + y - 11) + 4 * y * (x + y * y - 7);
      xs.push(x - 0.005 * gx);
      ys.push(y - 0.005 * gy);
    }
    return { name: `start ${k + 1}`, x: xs, y: ys };
  });

  const classes = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
  ];
  const matrix = classes.map((_, t) =>
    classes.map((_, p) => (t === p ? 800 + Math.round(150 * r()) : Math.round(30 * r() ** 3))),
  );

  const digit = (k: number) => {
    const data = new Uint8Array(28 * 28);
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) data[y * 28 + x] = Math.hypot(x - 14, y - 14) < 4 + k ? 255 - 20 * k : 0;
    return data;
  };
  const rgb = new Uint8Array(64 * 64 * 3);
  for (let i = 0; i < 64 * 64; i++) rgb.set([(i % 64) * 4, Math.floor(i / 64) * 4, 128], i * 3);

  return {
    line: lineChart({
      title: "Fashion-MNIST loss",
      xLabel: "epoch",
      yLabel: "cross-entropy",
      series: [
        { name: "train", y: train },
        { name: "test", y: test },
      ],
    }),
    lineLog: lineChart({
      title: "Cost (log scale)",
      xLabel: "iteration",
      yLabel: "cost",
      logY: true,
      series: { x: train.map((_, i) => i * 100), y: train.map((v) => v ** 3) },
    }),
    scatter: scatterPlot({ title: "make_moons", xLabel: "x₁", yLabel: "x₂", points: moons }),
    decision: decisionBoundary({ title: "Decision boundary", grid: prob, points: moons.slice(0, 80) }),
    decisionClasses: decisionBoundary({
      title: "Nearest centroid, 3 classes",
      xLabel: "feature 1",
      yLabel: "feature 2",
      grid: sampleGrid((x, y) => nearest(centroids, x, y), { x: [-3, 3], y: [-3, 3], n: 60 }),
      points: blobs,
      labelTitle: "species",
    }),
    heatmap: heatmap2d({
      title: "Himmelblau: gradient descent",
      grid: sampleGrid(himmelblau, { x: [-6, 6], y: [-6, 6], n: 100 }),
      logColor: true,
      paths,
      markers: [
        { x: 3, y: 2, label: "(3, 2)" },
        { x: -2.805118, y: 3.131312, label: "A" },
        { x: -3.77931, y: -3.283186, label: "B" },
        { x: 3.584428, y: -1.848126, label: "C" },
      ],
    }),
    confusion: confusionMatrix({ title: "Fashion-MNIST confusion matrix", matrix, labels: classes }),
    images: await imageGrid({
      title: "Fashion-MNIST test images (red: wrong)",
      columns: 5,
      images: Array.from({ length: 10 }, (_, k) => ({
        data: digit(k % 6),
        width: 28,
        height: 28,
        channels: 1 as const,
        caption: `pred: ${classes[k]}\ntrue: ${classes[k % 3 === 2 ? (k + 1) % 10 : k]}`,
        captionColor: k % 3 === 2 ? "#d62728" : "black",
      })),
    }),
    cats: await imageGrid({
      title: "Mislabeled images",
      columns: 3,
      images: [0, 1, 2].map((k) => ({
        data: rgb.map((v, i) => (i % 3 === k ? 255 - v : v)),
        width: 64,
        height: 64,
        channels: 3 as const,
        caption: `pred: ${k === 1 ? "non-cat" : "cat"}, true: ${k === 1 ? "cat" : "non-cat"}`,
      })),
    }),
  };
}
