import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "@chainrule/ndarray/node";
import { svgToPng, type PngOptions } from "./png.js";
import { toSvg } from "./render.js";
import type { Chart } from "./types.js";

export interface SavedFiles {
  svg: string;
  png: string;
}

/**
 * Writes `<path>.svg` and `<path>.png` (a trailing .svg/.png on `path` is ignored), creating the
 * directory if needed. Both pictures are rendered before anything is written, and each file is
 * written to a temporary name and renamed (`writeFileAtomic` of `@chainrule/ndarray/node`), so readers never
 * see a half-written picture.
 */
export async function save(chart: Chart, path: string, options: PngOptions = {}): Promise<SavedFiles> {
  if (typeof path !== "string" || path === "") throw new Error("plot.save: path must be a non-empty string");
  const stem = path.replace(/\.(svg|png)$/i, "");
  const svg = await toSvg(chart);
  const png = await svgToPng(svg, options);
  await mkdir(dirname(stem), { recursive: true });
  const files = { svg: `${stem}.svg`, png: `${stem}.png` };
  await writeFileAtomic(files.svg, svg);
  await writeFileAtomic(files.png, png);
  return files;
}
