import { DEFAULT_HEIGHT, DEFAULT_WIDTH, topLevel } from "./theme.js";
import type { AxisOptions, Chart, CommonOptions, Numbers } from "./types.js";
import { checkSameLength, checkSize, fail, toNumbers } from "./validate.js";

export interface LineSeries {
  /** Shown in the legend (the legend is hidden when there is only one series). */
  name?: string;
  /** Defaults to 0, 1, 2, … */
  x?: Numbers;
  y: Numbers;
}

export interface LineChartOptions extends CommonOptions, AxisOptions {
  series: LineSeries | readonly LineSeries[];
  /** Logarithmic y axis; every y must then be > 0. */
  logY?: boolean;
  /** Draw a dot at each sample. Default: only when every series has at most 50 samples. */
  points?: boolean;
}

/** Line chart of one or more histories (loss, accuracy, cost …). Non-finite y values are skipped. */
export function lineChart(options: LineChartOptions): Chart {
  const fn = "lineChart";
  const list = Array.isArray(options.series) ? options.series : [options.series as LineSeries];
  if (list.length === 0) fail(fn, "series must contain at least one series");
  const names = list.map((s, i) => s.name ?? (list.length === 1 ? "y" : `series ${i + 1}`));
  if (new Set(names).size !== names.length)
    fail(fn, `series names must be distinct, got ${names.join(", ")}`);

  const rows: { series: string; x: number; y: number }[] = [];
  let longest = 0;
  list.forEach((s, k) => {
    const label = `series "${names[k]}"`;
    const y = toNumbers(fn, `${label} y`, s.y);
    const x = s.x === undefined ? y.map((_, i) => i) : toNumbers(fn, `${label} x`, s.x);
    checkSameLength(fn, `${label} x`, x.length, "y", y.length);
    longest = Math.max(longest, y.length);
    for (let i = 0; i < y.length; i++) {
      if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!)) continue;
      if (options.logY && y[i]! <= 0) fail(fn, `logY needs y > 0, but ${label} has y[${i}] = ${y[i]}`);
      rows.push({ series: names[k]!, x: x[i]!, y: y[i]! });
    }
  });
  if (rows.length === 0) fail(fn, "no finite (x, y) values to plot");

  const showPoints = options.points ?? longest <= 50;
  const spec = topLevel(options.title, {
    width: checkSize(fn, "width", options.width, DEFAULT_WIDTH),
    height: checkSize(fn, "height", options.height, DEFAULT_HEIGHT),
    data: { values: rows },
    mark: { type: "line", strokeWidth: 2, ...(showPoints ? { point: { size: 36 } } : {}) },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.xLabel ?? "step", scale: { zero: false } },
      y: {
        field: "y",
        type: "quantitative",
        title: options.yLabel ?? "value",
        scale: options.logY ? { type: "log" } : { zero: false },
      },
      color: {
        field: "series",
        type: "nominal",
        scale: { domain: names },
        legend: list.length > 1 ? { title: null } : null,
      },
    },
  });
  return { kind: "line", spec };
}
