// Node-only helpers (`@chainrule/nn/node`): reading and writing safetensors files. The main entry has no
// Node imports so it bundles for browsers; everything format-related lives there and is reused here.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { NDArray } from "@chainrule/ndarray";
import type { LoadStateDictResult, Module } from "./module";
import {
  parseSafetensors,
  serializeSafetensors,
  type ParseSafetensorsOptions,
  type ParsedSafetensors,
} from "./safetensors";
import type { LoadWeightsOptions } from "./weights";

/**
 * Writes `data` to `path` atomically: into a new temporary file in the same directory, flushed to disk
 * (fsync), then renamed over `path`. Readers see the old file or the new one, never a partial one; on any
 * failure the temporary file is removed and `path` is untouched.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, "wx", 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, path);
  } catch (e) {
    await handle?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
  // Make the rename itself durable where directories can be fsynced (not on Windows).
  try {
    const d = await fs.open(dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* best effort */
  }
}

export interface SaveSafetensorsFileOptions {
  /** String key/value pairs stored in the file's `__metadata__`. */
  metadata?: Record<string, string>;
}

/** Saves a module's state dict (or named arrays) as a safetensors file, atomically (see `writeFileAtomic`). */
export async function saveSafetensorsFile(
  source: Module | Record<string, NDArray>,
  path: string,
  options: SaveSafetensorsFileOptions = {},
): Promise<void> {
  // Duck-typed: a Module from another copy of the package (e.g. ESM and CJS side by side) works too.
  const tensors =
    typeof (source as Module).stateDict === "function"
      ? (source as Module).stateDict()
      : (source as Record<string, NDArray>);
  await writeFileAtomic(path, serializeSafetensors(tensors, options.metadata));
}

/** Reads and validates a safetensors file (see `parseSafetensors`). */
export async function readSafetensorsFile(
  path: string,
  options: ParseSafetensorsOptions = {},
): Promise<ParsedSafetensors> {
  return parseSafetensors(await fs.readFile(path), options);
}

/** Loads a safetensors file into a module, all or nothing (see `loadWeights`). */
export async function loadSafetensorsFile(
  module: Module,
  path: string,
  options: LoadWeightsOptions = {},
): Promise<LoadStateDictResult> {
  const { tensors } = await readSafetensorsFile(path, options);
  return module.loadStateDict(tensors, options);
}
