import { checkGrid, contourSegments, gridCells } from "./grid.js";
import { gridAxes } from "./heatmap2d.js";
import { pointsLayer } from "./scatter.js";
import { CATEGORY_COLORS, DEFAULT_HEIGHT, DEFAULT_WIDTH, tint, topLevel } from "./theme.js";
import type { AxisOptions, Chart, CommonOptions, Grid, Label, PointsInput, VegaLiteSpec } from "./types.js";
import { checkSize, distinctLabels, fail, normalizePoints } from "./validate.js";

export interface DecisionBoundaryOptions extends CommonOptions, AxisOptions {
  /**
   * Model output on a grid. Either probabilities in [0, 1] of the *second* class, or class indices
   * 0, 1, 2 … (index k gets the colour of the k-th class). Class order: `classes`, else sorted labels.
   */
  grid: Grid;
  /** The data points drawn on top, coloured by label. */
  points: PointsInput;
  /** How to read `grid.values`. Default: "class" when every value is an integer, else "probability". */
  values?: "probability" | "class";
  /** Legend title of the point labels. Default "class". */
  labelTitle?: string;
  /** Class order, e.g. ["non-cat", "cat"]. Default: distinct point labels, sorted. */
  classes?: readonly Label[];
  pointSize?: number;
}

/** Model predictions as a tinted background, with the 0.5 boundary line, under a scatter of the data. */
export function decisionBoundary(options: DecisionBoundaryOptions): Chart {
  const fn = "decisionBoundary";
  const g = checkGrid(fn, options.grid);
  const points = normalizePoints(fn, options.points);
  const labels = distinctLabels(fn, points, options.classes);
  const kind =
    options.values ??
    (g.values.every((v) => !Number.isFinite(v) || Number.isInteger(v)) ? "class" : "probability");
  const width = checkSize(fn, "width", options.width, DEFAULT_WIDTH);
  const height = checkSize(fn, "height", options.height, DEFAULT_HEIGHT);
  const { cells, xDomain, yDomain } = gridCells(g, width, height);
  if (cells.length === 0) fail(fn, "grid.values has no finite value");
  const [x, y] = gridAxes(options, xDomain, yDomain);
  const rect = { data: { values: cells }, encoding: { x, x2: { field: "x2" }, y, y2: { field: "y2" } } };
  const layers: VegaLiteSpec[] = [];

  if (kind === "probability") {
    const bad = cells.find((c) => c.v < 0 || c.v > 1);
    if (bad) fail(fn, `probability grid values must lie in [0, 1], got ${bad.v}`);
    layers.push({
      ...rect,
      mark: { type: "rect", strokeWidth: 0, aria: false },
      encoding: {
        ...rect.encoding,
        color: {
          field: "v",
          type: "quantitative",
          title: labels.length >= 2 ? `P(${labels[1]})` : "p",
          // Opaque pale colours rather than transparency, so overlapping cells do not show.
          scale: {
            domain: [0, 0.5, 1],
            range: [tint(CATEGORY_COLORS[0]!, 0.55), "#ffffff", tint(CATEGORY_COLORS[1]!, 0.55)],
            interpolate: "rgb",
          },
          legend: { gradientLength: 200, values: [0, 0.5, 1] },
        },
      },
    });
    const boundary = contourSegments(g, [0.5]);
    if (boundary.length > 0) {
      layers.push({
        data: { values: boundary },
        mark: { type: "rule", color: "#333", strokeWidth: 1.5, aria: false },
        encoding: { x, y, x2: { field: "x2" }, y2: { field: "y2" } },
      });
    }
  } else {
    const bad = cells.find((c) => c.v < 0 || c.v >= CATEGORY_COLORS.length || !Number.isInteger(c.v));
    if (bad)
      fail(fn, `class grid values must be integers in [0, ${CATEGORY_COLORS.length - 1}], got ${bad.v}`);
    layers.push({
      ...rect,
      mark: { type: "rect", strokeWidth: 0, aria: false },
      encoding: {
        ...rect.encoding,
        color: {
          field: "v",
          type: "ordinal",
          scale: {
            domain: CATEGORY_COLORS.map((_, k) => k),
            range: CATEGORY_COLORS.map((c) => tint(c, 0.3)),
          },
          legend: null,
        },
      },
    });
  }

  if (points.length > 0) {
    layers.push(
      pointsLayer(points, labels, {
        x,
        y,
        size: options.pointSize ?? 50,
        labelTitle: options.labelTitle,
        colors: CATEGORY_COLORS,
      }),
    );
  }

  const spec = topLevel(options.title, {
    width,
    height,
    layer: layers,
    resolve: { scale: { color: "independent" } },
  });
  return { kind: "decisionBoundary", spec };
}
