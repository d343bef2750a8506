// PNG output needs sharp (a native Node module), so it is exported from `@chainrule/plot/node` only.
import { toSvg } from "./render.js";
import type { Chart } from "./types.js";

type Sharp = typeof import("sharp").default;
let sharpModule: Promise<Sharp> | undefined;

/** sharp's default export, loaded on first use so that building specs never touches the native module. */
export async function loadSharp(): Promise<Sharp> {
  sharpModule ??= import("sharp").then((m) => m.default);
  return sharpModule;
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
