import { DEFAULT_HEIGHT, DEFAULT_WIDTH, topLevel } from "./theme.js";
import type { AxisOptions, Chart, CommonOptions, Label, PointsInput, VegaLiteSpec } from "./types.js";
import { checkSize, distinctLabels, fail, normalizePoints, type Point } from "./validate.js";

export interface ScatterPlotOptions extends CommonOptions, AxisOptions {
  /** `{x, y, label?}[]` or columns `{x: [], y: [], labels?: []}`; labels colour the points. */
  points: PointsInput;
  /** Legend title for the labels. Default "class". */
  labelTitle?: string;
  /** Label order for legend and colours. Default: distinct labels, sorted. */
  classes?: readonly Label[];
  /** Point area in square pixels. Default 50. */
  pointSize?: number;
}

/** Scatter plot of 2-D points, coloured by label when labels are given. */
export function scatterPlot(options: ScatterPlotOptions): Chart {
  const fn = "scatterPlot";
  const points = normalizePoints(fn, options.points);
  if (points.length === 0) fail(fn, "points must not be empty");
  const spec = topLevel(options.title, {
    width: checkSize(fn, "width", options.width, DEFAULT_WIDTH),
    height: checkSize(fn, "height", options.height, DEFAULT_HEIGHT),
    ...pointsLayer(points, distinctLabels(fn, points, options.classes), {
      x: { field: "x", type: "quantitative", title: options.xLabel ?? "x", scale: { zero: false } },
      y: { field: "y", type: "quantitative", title: options.yLabel ?? "y", scale: { zero: false } },
      size: options.pointSize ?? 50,
      labelTitle: options.labelTitle,
    }),
  });
  return { kind: "scatter", spec };
}

/** A point layer shared by scatterPlot and decisionBoundary; `x`/`y` are the axis encodings. */
export function pointsLayer(
  points: readonly Point[],
  labels: readonly string[],
  opts: { x: VegaLiteSpec; y: VegaLiteSpec; size: number; labelTitle?: string; colors?: readonly string[] },
): VegaLiteSpec {
  const color = {
    field: "label",
    type: "nominal",
    scale: { domain: labels, ...(opts.colors ? { range: opts.colors } : {}) },
    legend: { title: opts.labelTitle ?? "class" },
  };
  return {
    data: { values: points.map((p) => ({ x: p.x, y: p.y, label: p.label ?? "" })) },
    mark: { type: "point", filled: true, size: opts.size, opacity: 0.85, stroke: "white", strokeWidth: 0.6 },
    encoding: { x: opts.x, y: opts.y, ...(labels.length > 0 ? { color } : {}) },
  };
}
