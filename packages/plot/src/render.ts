import type { Chart } from "./types.js";

// vega and vega-lite are ESM only: load them with import() (kept as import() in the CJS build too).
let vegaModules: Promise<[typeof import("vega"), typeof import("vega-lite")]> | undefined;
type Sharp = typeof import("sharp").default;
let sharpModule: Promise<Sharp> | undefined;

function loadVega() {
  vegaModules ??= Promise.all([import("vega"), import("vega-lite")]);
  return vegaModules;
}

/** sharp's default export, loaded on first use so that building specs never touches the native module. */
export async function loadSharp(): Promise<Sharp> {
  sharpModule ??= import("sharp").then((m) => m.default);
  return sharpModule;
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

export interface PngOptions {
  /** Rasterisation density in dpi; 72 gives the SVG's pixel size, the default 144 gives twice that. */
  density?: number;
}

/** Renders an SVG string to PNG bytes with sharp (librsvg). */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(Buffer.from(svg), { density: options.density ?? 144 })
    .png()
    .toBuffer();
}

/** Renders a chart to PNG bytes. */
export async function toPng(chart: Chart, options: PngOptions = {}): Promise<Buffer> {
  return svgToPng(await toSvg(chart), options);
}
