import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
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

/**
 * Write to a hidden temp file `.<name>.<pid>.<hex>.tmp` in the same directory (same filesystem), fsync, then
 * rename over the target. Temp files that a killed earlier writer left (its pid is gone) are removed first.
 */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await removeStaleTempFiles(file);
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

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, another user's
  }
}

/** Removes `.<name>.<pid>.<hex>.tmp` files of `file` whose writer process no longer runs. */
async function removeStaleTempFiles(file: string): Promise<void> {
  const prefix = `.${basename(file)}.`;
  const names = await readdir(dirname(file)).catch(() => [] as string[]);
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (m && !isProcessAlive(Number(m[1]))) await rm(join(dirname(file), name), { force: true });
  }
}
