import { checkGrid, contourSegments, extent, gridCells, type CheckedGrid } from "./grid.js";
import { topLevel } from "./theme.js";
import type { AxisOptions, Chart, CommonOptions, Grid, Numbers, VegaLiteSpec } from "./types.js";
import { checkSameLength, checkSize, fail, toNumbers } from "./validate.js";

export interface Path2d {
  name: string;
  x: Numbers;
  y: Numbers;
}

export interface Marker {
  x: number;
  y: number;
  label?: string;
}

export interface Heatmap2dOptions extends CommonOptions, AxisOptions {
  grid: Grid;
  /** Trajectories drawn as lines with points; the first point gets a larger start marker. */
  paths?: readonly Path2d[];
  /** Points of interest (e.g. minima), drawn as white diamonds with optional labels. */
  markers?: readonly Marker[];
  /** Colour by sign(v)·log(1 + |v|): shows the detail near a minimum next to large values. */
  logColor?: boolean;
  /** Number of contour lines (default 10, 0 for none) or the exact levels. */
  contours?: number | readonly number[];
  /** Title of the colour legend. Default "f(x, y)". */
  valueLabel?: string;
  /** Vega colour scheme for the heatmap. Default "viridis". */
  scheme?: string;
}

// Bright colours that stay visible on viridis, from dark purple to yellow.
const PATH_COLORS = ["#ff3b3b", "#00e5ff", "#ff9f1c", "#ff4dd2", "#ffffff", "#b6ff00"];

/** Heatmap (with contour lines) of a sampled 2-D function, with optional trajectories and markers. */
export function heatmap2d(options: Heatmap2dOptions): Chart {
  const fn = "heatmap2d";
  const g = checkGrid(fn, options.grid);
  const width = checkSize(fn, "width", options.width, 500);
  const height = checkSize(fn, "height", options.height, 500);
  const { cells, xDomain, yDomain } = gridCells(g, width, height);
  if (cells.length === 0) fail(fn, "grid.values has no finite value");
  const log = options.logColor ?? false;
  const valueTitle = options.valueLabel ?? "f(x, y)";
  const [x, y] = gridAxes(options, xDomain, yDomain);

  const layers: VegaLiteSpec[] = [
    {
      data: { values: cells },
      mark: { type: "rect", strokeWidth: 0, aria: false },
      encoding: {
        x,
        x2: { field: "x2" },
        y,
        y2: { field: "y2" },
        color: {
          field: "v",
          type: "quantitative",
          title: valueTitle,
          scale: { scheme: options.scheme ?? "viridis", ...(log ? { type: "symlog" } : {}) },
          legend: { gradientLength: 260, ...(log ? { values: logTicks(extent(g.values)) } : {}) },
        },
      },
    },
  ];

  const levels = contourLevels(g, options.contours ?? 10, log);
  const segments = contourSegments(g, levels);
  if (segments.length > 0) {
    layers.push({
      data: { values: segments },
      mark: { type: "rule", color: "white", strokeWidth: 0.8, opacity: 0.45, aria: false },
      encoding: { x, y, x2: { field: "x2" }, y2: { field: "y2" } },
    });
  }

  const paths = (options.paths ?? []).map((p, k) => {
    const px = toNumbers(fn, `paths[${k}].x`, p.x);
    const py = toNumbers(fn, `paths[${k}].y`, p.y);
    checkSameLength(fn, `paths[${k}].x`, px.length, `paths[${k}].y`, py.length);
    return { name: p.name ?? `path ${k + 1}`, x: px, y: py };
  });
  if (paths.length > 0) {
    const names = paths.map((p) => p.name);
    const rows = paths.flatMap((p) => p.x.map((px, i) => ({ name: p.name, i, x: px, y: p.y[i]! })));
    const color = {
      field: "name",
      type: "nominal",
      scale: { domain: names, range: PATH_COLORS },
    };
    layers.push(
      {
        data: { values: rows },
        mark: { type: "line", clip: true, strokeWidth: 2, point: { size: 18, filled: true } },
        // order keeps the points in path order (Vega-Lite would sort a line by x).
        encoding: {
          x,
          y,
          order: { field: "i" },
          color: { ...color, legend: { title: "path", symbolStrokeColor: "#333", symbolStrokeWidth: 1 } },
        },
      },
      {
        data: { values: rows.filter((r) => r.i === 0) },
        mark: { type: "point", shape: "circle", filled: true, size: 140, stroke: "black", strokeWidth: 1.2 },
        encoding: { x, y, color: { ...color, legend: null } },
      },
    );
  }

  const markers = options.markers ?? [];
  if (markers.length > 0) {
    const rows = markers.map((m) => ({ x: m.x, y: m.y, label: m.label ?? "" }));
    layers.push(
      {
        data: { values: rows },
        mark: {
          type: "point",
          shape: "diamond",
          filled: true,
          size: 160,
          color: "white",
          stroke: "black",
          strokeWidth: 1.5,
          opacity: 1,
        },
        encoding: { x, y },
      },
      {
        data: { values: rows },
        mark: {
          type: "text",
          align: "left",
          dx: 9,
          dy: -9,
          fontSize: 12,
          fontWeight: "bold",
          color: "white",
        },
        encoding: { x, y, text: { field: "label" } },
      },
    );
  }

  const spec = topLevel(options.title, {
    width,
    height,
    layer: layers,
    resolve: { scale: { color: "independent" } },
  });
  return { kind: "heatmap2d", spec };
}

/** Quantitative scale pinned to the grid's extent (no rounding, no zero). */
export function fixed(domain: [number, number]): VegaLiteSpec {
  return { domain, nice: false, zero: false };
}

/** x and y encodings for charts drawn over a grid: the axes span exactly the grid, without grid lines. */
export function gridAxes(
  axes: AxisOptions,
  xDomain: [number, number],
  yDomain: [number, number],
): [x: VegaLiteSpec, y: VegaLiteSpec] {
  const axis = { grid: false };
  return [
    { field: "x", type: "quantitative", title: axes.xLabel ?? "x", scale: fixed(xDomain), axis },
    { field: "y", type: "quantitative", title: axes.yLabel ?? "y", scale: fixed(yDomain), axis },
  ];
}

/** Legend values for a symlog colour scale: 0 and the powers of ten inside the data range. */
function logTicks([lo, hi]: [number, number]): number[] {
  const ticks: number[] = [];
  if (lo <= 0 && hi >= 0) ticks.push(0);
  for (let p = -6; p <= 12; p++) {
    for (const sign of [1, -1]) {
      const t = sign * 10 ** p;
      if (t >= lo && t <= hi && Math.abs(t) >= 1) ticks.push(t);
    }
  }
  ticks.sort((a, b) => a - b);
  return ticks.length >= 2 ? ticks : [lo, hi];
}

function contourLevels(g: CheckedGrid, contours: number | readonly number[], log: boolean): number[] {
  if (typeof contours !== "number") return [...contours];
  if (!Number.isInteger(contours) || contours < 0) {
    fail("heatmap2d", `contours must be a non-negative integer or a list of levels, got ${contours}`);
  }
  const [lo, hi] = extent(g.values);
  if (!(hi > lo)) return [];
  // Evenly spaced in the colour scale's space, so lines match visible colour steps.
  const fwd = (v: number) => (log ? Math.sign(v) * Math.log1p(Math.abs(v)) : v);
  const inv = (t: number) => (log ? Math.sign(t) * Math.expm1(Math.abs(t)) : t);
  const a = fwd(lo);
  const b = fwd(hi);
  return Array.from({ length: contours }, (_, k) => inv(a + ((b - a) * (k + 1)) / (contours + 1)));
}
