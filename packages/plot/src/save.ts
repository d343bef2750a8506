import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
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
 * written to a temporary name and renamed, so readers never see a half-written picture.
 */
export async function save(chart: Chart, path: string, options: PngOptions = {}): Promise<SavedFiles> {
  if (typeof path !== "string" || path === "") throw new Error("plot.save: path must be a non-empty string");
  const stem = path.replace(/\.(svg|png)$/i, "");
  const svg = await toSvg(chart);
  const png = await svgToPng(svg, options);
  await mkdir(dirname(stem), { recursive: true });
  const files = { svg: `${stem}.svg`, png: `${stem}.png` };
  await writeAtomic(files.svg, svg);
  await writeAtomic(files.png, png);
  return files;
}

/** Write to a hidden temp file in the same directory (same filesystem), fsync, then rename over the target. */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(tmp, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
