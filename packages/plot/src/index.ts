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
export { imageGrid, type GridImage, type ImageGridOptions } from "./imageGrid.js";
export { sampleGrid, type SampleGridOptions } from "./grid.js";
export { toSvg, toPng, svgToPng, type PngOptions } from "./render.js";
export { save, type SavedFiles } from "./save.js";
