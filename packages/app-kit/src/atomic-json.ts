import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomicSync } from "@chainrule/ndarray/node";

/**
 * Writes JSON through a temporary file (fsynced, then renamed: `writeFileAtomicSync` of
 * `@chainrule/ndarray/node`), so a reader never sees half a file and a crash mid-write leaves the previous file
 * whole; temp files that killed runs left are removed. Creates the directory.
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  // Serialised first: a value that cannot be (a BigInt) throws before anything touches the disk.
  const text = JSON.stringify(value, null, 2) + "\n";
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomicSync(path, text);
}
