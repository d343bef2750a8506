import { topLevel } from "./theme.js";
import type { Chart, CommonOptions } from "./types.js";
import { checkSize, fail } from "./validate.js";

export interface ConfusionMatrixOptions extends CommonOptions {
  /** `matrix[t][p]` = number of samples of true class t predicted as class p. */
  matrix: ReadonlyArray<ArrayLike<number>>;
  /** Class names, in index order. */
  labels: readonly string[];
  xLabel?: string;
  yLabel?: string;
}

/** Square heatmap of counts, with each count written in its cell. */
export function confusionMatrix(options: ConfusionMatrixOptions): Chart {
  const fn = "confusionMatrix";
  const { matrix, labels } = options;
  const n = labels?.length ?? 0;
  if (n === 0) fail(fn, "labels must not be empty");
  if (new Set(labels).size !== n) fail(fn, "labels must be distinct");
  if (matrix?.length !== n) fail(fn, `matrix has ${matrix?.length ?? 0} rows but there are ${n} labels`);
  const rows: { truth: string; pred: string; count: number }[] = [];
  matrix.forEach((row, t) => {
    if (row?.length !== n)
      fail(fn, `matrix row ${t} has length ${row?.length ?? 0} but there are ${n} labels`);
    for (let p = 0; p < n; p++) {
      const count = Number(row[p]);
      if (!Number.isFinite(count)) fail(fn, `matrix[${t}][${p}] is not a finite number: ${row[p]}`);
      rows.push({ truth: labels[t]!, pred: labels[p]!, count });
    }
  });
  const max = Math.max(...rows.map((r) => r.count));
  const integers = rows.every((r) => Number.isInteger(r.count));
  // Cells of ~42 px fit a 4-digit count; small matrices still get a reasonable size.
  const side = Math.max(240, 42 * n);
  const x = {
    field: "pred",
    type: "nominal",
    sort: labels,
    title: options.xLabel ?? "predicted label",
    axis: { labelAngle: -40, labelAlign: "right" },
  };
  const y = { field: "truth", type: "nominal", sort: labels, title: options.yLabel ?? "true label" };
  const spec = topLevel(options.title, {
    width: checkSize(fn, "width", options.width, side),
    height: checkSize(fn, "height", options.height, side),
    data: { values: rows },
    encoding: { x, y },
    layer: [
      {
        mark: { type: "rect", stroke: "white", strokeWidth: 1 },
        encoding: {
          color: {
            field: "count",
            type: "quantitative",
            title: "count",
            scale: { scheme: "blues", domain: [0, Math.max(max, 1)] },
            legend: { gradientLength: Math.min(side, 300) },
          },
        },
      },
      {
        mark: { type: "text", fontSize: n > 12 ? 9 : 12 },
        encoding: {
          text: { field: "count", type: "quantitative", format: integers ? "d" : ".2f" },
          // White text on the dark cells, black on the light ones.
          color: { condition: { test: `datum.count > ${max / 2}`, value: "white" }, value: "black" },
        },
      },
    ],
  });
  return { kind: "confusionMatrix", spec };
}
