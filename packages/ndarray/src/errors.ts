/** Thrown when shapes do not fit an op. The message names the op and every offending shape. */
export class ShapeError extends Error {
  override name = "ShapeError";
}

/**
 * `[2, 3]`: how every @chainrule package writes a shape in its messages. An unknown dimension (`null`, as
 * in a graph placeholder) reads `?`; anything else that is not a number (from untyped code) is shown as it
 * is (`["2"]`, not `[2]`).
 */
export function formatShape(shape: readonly (number | null)[]): string {
  const dim = (d: unknown) =>
    typeof d === "number" ? String(d) : d === null ? "?" : (JSON.stringify(d) ?? String(d));
  return `[${shape.map(dim).join(", ")}]`;
}

/** This package's own name for `formatShape` (its files use it throughout). */
export const fmtShape = formatShape;

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
