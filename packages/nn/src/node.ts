// Node-only helpers (`@chainrule/nn/node`): reading and writing safetensors files. The main entry has no
// Node imports so it bundles for browsers; everything format-related lives there and is reused here.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { NDArray } from "@chainrule/ndarray";
import { SafetensorsError, StateDictError } from "./errors";
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
  await removeStaleTempFiles(path);
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

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * A process killed mid-save leaves `.<name>.<pid>.<hex>.tmp` behind; the pid in the name tells a later save
 * whether its writer is gone, so such files are removed (temp files of live writers are left alone).
 */
async function removeStaleTempFiles(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await fs.readdir(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length));
    if (m === null || isAlive(Number(m[1]))) continue;
    await fs.rm(join(dirname(path), name), { force: true }).catch(() => {});
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
  await writeFileAtomic(path, serializeSafetensors(await onHost(tensors), options.metadata));
}

/** The tensors with device-resident ones (WebGPU weights) read back to host arrays. */
async function onHost(tensors: Record<string, NDArray>): Promise<Record<string, NDArray>> {
  const out: Record<string, NDArray> = {};
  for (const [name, x] of Object.entries(tensors)) {
    const value = x?.onDevice ? new NDArray(await x.data(), x.shape, x.dtype) : x;
    Object.defineProperty(out, name, { value, enumerable: true, configurable: true, writable: true }); // '__proto__' too
  }
  return out;
}

/** Node's `fs.readFile` cannot read more than this many bytes (2 GiB − 1) into one buffer. */
export const MAX_SAFETENSORS_FILE_BYTES = 2 ** 31 - 1;

/** Prefixes an error raised while reading `path` with the path, keeping its class. */
function naming(path: string, e: unknown): unknown {
  if (e instanceof SafetensorsError || e instanceof StateDictError) {
    const Named = e.constructor as new (message: string) => Error;
    return new Named(`${path}: ${e.message}`);
  }
  return e;
}

/**
 * Reads and validates a safetensors file (see `parseSafetensors`). Errors name the file; files over 2 GiB get
 * a `SafetensorsError` stating the limit instead of Node's raw size error.
 */
export async function readSafetensorsFile(
  path: string,
  options: ParseSafetensorsOptions = {},
): Promise<ParsedSafetensors> {
  const { size } = await fs.stat(path);
  if (size > MAX_SAFETENSORS_FILE_BYTES) {
    throw new SafetensorsError(
      `${path}: safetensors: the file is ${size} bytes; files over ${MAX_SAFETENSORS_FILE_BYTES} bytes (2 GiB) cannot be loaded`,
    );
  }
  try {
    return parseSafetensors(await fs.readFile(path), options);
  } catch (e) {
    throw naming(path, e);
  }
}

export interface LoadSafetensorsFileOptions extends LoadWeightsOptions {
  /** Reject float tensors holding NaN or ±Infinity (default true); `false` loads them as they are. */
  checkFinite?: boolean;
}

/** Throws if a float tensor holds NaN or ±Infinity, naming the tensor and the first bad index. */
function assertFinite(tensors: Record<string, NDArray>): void {
  for (const [name, x] of Object.entries(tensors)) {
    if (x.dtype !== "float32" && x.dtype !== "float64") continue;
    const data = x.dataSync();
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) {
        throw new SafetensorsError(
          `safetensors: tensor '${name}' holds ${data[i]} at flat index ${i} (pass checkFinite: false to load non-finite weights)`,
        );
      }
    }
  }
}

/**
 * Loads a safetensors file into a module, all or nothing (see `loadWeights`). NaN/±Infinity in float tensors
 * is an error unless `checkFinite: false`. Errors name the file.
 */
export async function loadSafetensorsFile(
  module: Module,
  path: string,
  options: LoadSafetensorsFileOptions = {},
): Promise<LoadStateDictResult> {
  const { tensors } = await readSafetensorsFile(path, options);
  try {
    if (options.checkFinite !== false) assertFinite(tensors);
    return module.loadStateDict(tensors, options);
  } catch (e) {
    throw naming(path, e);
  }
}
