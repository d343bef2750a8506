/** Thrown when shapes do not fit an op. The message names the op and every offending shape. */
export class ShapeError extends Error {
  override name = "ShapeError";
}

export function fmtShape(shape: readonly number[]): string {
  // A shape from untyped code may hold strings etc.: show them as they are ("2", not 2).
  return `[${shape.map((d) => (typeof d === "number" ? String(d) : (JSON.stringify(d) ?? String(d)))).join(", ")}]`;
}

/** Runs `f`; an error it raises under the name of internal op `inner` is re-labelled with the user's `op`. */
export function asOp<T>(op: string, inner: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`${inner}: `))
      e.message = `${op}: ${e.message.slice(inner.length + 2)}`;
    throw e;
  }
}

/** Thrown when an array's memory does not fit what was asked (a device array read synchronously, …). */
export class BackendError extends Error {
  override name = "BackendError";
}
