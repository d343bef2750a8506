// The main entry is browser-safe: chart builders and SVG rendering (vega). PNG output, image grids and
// `save` need sharp and the file system and are exported from `@chainrule/plot/node`.
export type {
  AxisOptions,
  Chart,
  ChartKind,
  CommonOptions,
  Grid,
  Label,
  Numbers,
  PointsInput,
  VegaLiteSpec,
} from "./types.js";
export { lineChart, type LineChartOptions, type LineSeries } from "./line.js";
export { scatterPlot, type ScatterPlotOptions } from "./scatter.js";
export { decisionBoundary, type DecisionBoundaryOptions } from "./decision.js";
export { heatmap2d, type Heatmap2dOptions, type Marker, type Path2d } from "./heatmap2d.js";
export { confusionMatrix, type ConfusionMatrixOptions } from "./confusion.js";
export { sampleGrid, type SampleGridOptions } from "./grid.js";
export { toSvg } from "./render.js";
