/** A state dict that does not fit a module: missing or unexpected names, wrong shapes or dtypes. */
export class StateDictError extends Error {
  override name = "StateDictError";
}

/** Bytes that are not a valid safetensors file (or that this package cannot represent). */
export class SafetensorsError extends Error {
  override name = "SafetensorsError";
}
