/** Thrown when shapes do not fit an op. The message names the op and every offending shape. */
export class ShapeError extends Error {
  override name = "ShapeError";
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Thrown when an array's memory does not fit what was asked (a device array read synchronously, …). */
export class BackendError extends Error {
  override name = "BackendError";
}
