// Node-only helpers (`@chainrule/ndarray/node`), shared by every package that saves files (nn's safetensors,
// plot's pictures, the apps' JSON): the main entry has no Node imports, so it bundles for browsers.
//
// A save writes a hidden temporary file `.<name>.<pid>.<hex>.tmp` next to the target (same filesystem), fsyncs
// it and renames it over the target: readers see the old file or the new one, never part of one, and a crash
// mid-write leaves the old file whole. The pid in the name tells a later save whether the writer is gone, so
// the temporary files of killed writers are removed then; a failed save removes its own.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { basename, dirname, join } from "node:path";

const TEMP = /^(\d+)\.[0-9a-f]+\.tmp$/;

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Of the names in `path`'s directory, the temporary files of `path` whose writer no longer runs. */
function staleTempFiles(path: string, names: readonly string[]): string[] {
  const prefix = `.${basename(path)}.`;
  return names
    .filter((name) => {
      const m = name.startsWith(prefix) ? TEMP.exec(name.slice(prefix.length)) : null;
      return m !== null && !isProcessAlive(Number(m[1]));
    })
    .map((name) => join(dirname(path), name));
}

/**
 * Writes `data` to `path` atomically (see the top of this file). The directory must exist. Resolves once
 * the file and, where the platform allows, its directory entry are on disk.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const names = await fsp.readdir(dirname(path)).catch(() => [] as string[]);
  for (const stale of staleTempFiles(path, names)) await fsp.rm(stale, { force: true });
  const tmp = tempName(path);
  try {
    const handle = await fsp.open(tmp, "wx", 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** `writeFileAtomic`, synchronously. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const names = (() => {
    try {
      return fs.readdirSync(dirname(path));
    } catch {
      return [];
    }
  })();
  for (const stale of staleTempFiles(path, names)) fs.rmSync(stale, { force: true });
  const tmp = tempName(path);
  try {
    const fd = fs.openSync(tmp, "wx", 0o644);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const d = fs.openSync(dirname(path), "r");
    try {
      fs.fsyncSync(d);
    } finally {
      fs.closeSync(d);
    }
  } catch {
    /* best effort, as in syncDirectory */
  }
}

/** Makes the rename itself durable where directories can be fsynced (not on Windows): best effort. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const d = await fsp.open(dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* best effort */
  }
}
