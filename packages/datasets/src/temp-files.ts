import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Temporary files next to `dest` are named `.<name>.<pid>.<hex>.part`: each process (and each call) gets
 * its own, and the pid tells a later run whether the writer is gone (a file of a dead writer is stale).
 */
export function tempNameFor(dest: string, suffix: "part"): string {
  return join(dirname(dest), `.${basename(dest)}.${process.pid}.${randomBytes(6).toString("hex")}.${suffix}`);
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface TempFile {
  path: string;
  pid: number;
}

/** The temp files of `dest` with this suffix that are in the directory now (any writer). */
export async function tempFilesOf(dest: string, suffix: "part"): Promise<TempFile[]> {
  const prefix = `.${basename(dest)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(dest));
  } catch {
    return [];
  }
  const pattern = new RegExp(`^(\\d+)\\.[0-9a-f]+\\.${suffix}$`);
  const out: TempFile[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = pattern.exec(name.slice(prefix.length));
    if (m) out.push({ path: join(dirname(dest), name), pid: Number(m[1]) });
  }
  return out;
}
