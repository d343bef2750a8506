// Node-only helpers (`@chainrule/nn/node`): reading and writing safetensors files. The main entry has no
// Node imports so it bundles for browsers; everything format-related lives there and is reused here.
import * as fs from "node:fs/promises";
import { NDArray } from "@chainrule/ndarray";
import { writeFileAtomic } from "@chainrule/ndarray/node";
import { SafetensorsError, StateDictError } from "./errors";
import { tensorsOnHost } from "./host";
import type { LoadStateDictResult, Module } from "./module";
import {
  parseSafetensors,
  serializeSafetensors,
  type ParseSafetensorsOptions,
  type ParsedSafetensors,
} from "./safetensors";
import type { LoadWeightsOptions } from "./weights";

// One implementation of atomic saves for every package (temp file, fsync, rename; stale temp files removed).
export { writeFileAtomic } from "@chainrule/ndarray/node";

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
  await writeFileAtomic(path, serializeSafetensors(await tensorsOnHost(tensors), options.metadata));
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
