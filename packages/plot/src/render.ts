import type { Chart } from "./types.js";

// vega and vega-lite are ESM only: load them with import() (kept as import() in the CJS build too).
let vegaModules: Promise<[typeof import("vega"), typeof import("vega-lite")]> | undefined;

function loadVega() {
  vegaModules ??= Promise.all([import("vega"), import("vega-lite")]);
  return vegaModules;
}

/** Renders a chart to an SVG string (Vega's headless renderer: no browser, no canvas). */
export async function toSvg(chart: Chart): Promise<string> {
  if (chart == null || typeof chart.spec !== "object")
    throw new Error("plot.toSvg: expected a chart from a plot builder");
  const [vega, vegaLite] = await loadVega();
  const compiled = vegaLite.compile(chart.spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
