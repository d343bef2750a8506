/** A Vega-Lite spec as plain JSON (kept loose so this package's types do not pull in vega-lite's). */
export type VegaLiteSpec = { [key: string]: unknown };

export type ChartKind =
  "line" | "scatter" | "decisionBoundary" | "heatmap2d" | "confusionMatrix" | "imageGrid";

/** What every chart builder returns: a Vega-Lite spec, ready for `toSvg`, `toPng` or `save`. */
export interface Chart {
  readonly kind: ChartKind;
  /** The Vega-Lite spec. Plain JSON: tweak it before rendering if the defaults do not fit. */
  readonly spec: VegaLiteSpec;
}

/** Numbers as a plain array or a typed array. */
export type Numbers = ArrayLike<number>;

export type Label = string | number;

/** Points either as objects or as parallel columns. */
export type PointsInput =
  | ReadonlyArray<{ x: number; y: number; label?: Label }>
  | { x: Numbers; y: Numbers; labels?: ArrayLike<Label> };

/** Samples of f(x, y): `values[j * xs.length + i] = f(xs[i], ys[j])` (row-major, one row per y). */
export interface Grid {
  xs: Numbers;
  ys: Numbers;
  values: Numbers;
}

/** Size and text options shared by every chart. */
export interface CommonOptions {
  title?: string;
  /** Plot-area width in pixels (the picture adds axes, legend and title around it). */
  width?: number;
  height?: number;
}

export interface AxisOptions {
  xLabel?: string;
  yLabel?: string;
}
