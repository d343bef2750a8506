import type { NDArray } from "@chainrule/ndarray";
import type { LoadStateDictOptions, LoadStateDictResult, Module } from "./module";
import { requireHost, tensorsOnHost } from "./host";
import { parseSafetensors, serializeSafetensors, type ParseSafetensorsOptions } from "./safetensors";

export interface SaveWeightsOptions {
  /** String key/value pairs stored in the file's `__metadata__`. */
  metadata?: Record<string, string>;
}

export type LoadWeightsOptions = LoadStateDictOptions & ParseSafetensorsOptions;

/**
 * A module's state dict (parameters and buffers) as safetensors bytes. Pure code: works in browsers. Weights
 * on a device backend (WebGPU) need a read: `await saveWeightsAsync(module)`.
 */
export function saveWeights(module: Module, options: SaveWeightsOptions = {}): Uint8Array {
  const tensors = module.stateDict();
  requireHost(tensors, "saveWeights", "await saveWeightsAsync(module)");
  return serializeSafetensors(tensors, options.metadata);
}

/** `saveWeights` for weights anywhere: device-resident ones (WebGPU) are read back with `await data()`. */
export async function saveWeightsAsync(
  module: Module,
  options: SaveWeightsOptions = {},
): Promise<Uint8Array> {
  return serializeSafetensors(await tensorsOnHost(module.stateDict()), options.metadata);
}

/**
 * Loads safetensors bytes into a module, all or nothing: the file is fully validated and decoded, then every
 * name, shape and dtype is checked against the module, and only then are the values assigned. Any problem
 * throws (`SafetensorsError` for the file, `StateDictError` for the fit) with the module unchanged.
 */
export function loadWeights(
  module: Module,
  bytes: Uint8Array | ArrayBufferLike,
  options: LoadWeightsOptions = {},
): LoadStateDictResult {
  const { tensors } = parseSafetensors(bytes, options);
  return module.loadStateDict(tensors as Record<string, NDArray>, options);
}
