// Two copies of this package in one process (the ESM and CJS builds side by side, or a duplicated install)
// each have their own NDArray class, backend and recorder stack, so an array of one is not an NDArray to the
// other. Each copy brands its NDArray prototype with a well-known symbol and a description of itself, so that
// the other copy can say exactly what happened instead of "expected an NDArray". Symbol.for only names the
// brand: the value lives on each copy's own prototype and nothing is shared or mutated.
import { NDArray } from "./ndarray";

declare const __CHAINRULE_VERSION__: string | undefined;
declare const __CHAINRULE_FORMAT__: string | undefined;

/** Which copy of @chainrule/ndarray this is. */
export interface CopyInfo {
  readonly version: string;
  /** `esm`, `cjs`, or `source` (the TypeScript sources, in this repository's tests). */
  readonly format: string;
}

const BRAND = Symbol.for("@chainrule/ndarray.NDArray");

export const THIS_COPY: CopyInfo = Object.freeze({
  version: typeof __CHAINRULE_VERSION__ === "string" ? __CHAINRULE_VERSION__ : "source",
  format: typeof __CHAINRULE_FORMAT__ === "string" ? __CHAINRULE_FORMAT__ : "source",
});

/** Marks this copy's NDArray prototype (once, at load). */
export function brandNDArray(): void {
  Object.defineProperty(NDArray.prototype, BRAND, { value: THIS_COPY, enumerable: false });
}

/** The other copy `x` belongs to, when it is an NDArray of another copy of this package. */
export function foreignCopy(x: unknown): CopyInfo | undefined {
  if (x === null || typeof x !== "object" || x instanceof NDArray) return undefined;
  const info = (x as { [BRAND]?: CopyInfo })[BRAND];
  return info && typeof info.version === "string" ? info : undefined;
}

/** The error for an array of another copy, naming both copies and the fix. */
export function foreignCopyError(what: string, other: CopyInfo): TypeError {
  const me = THIS_COPY;
  return new TypeError(
    `${what}: got an NDArray from another copy of @chainrule/ndarray (version ${other.version}, ${other.format} build) ` +
      `than the one this code uses (version ${me.version}, ${me.format} build). Two copies do not share arrays, ` +
      `backends or tapes. Fix: install one copy (\`npm ls @chainrule/ndarray\` lists them, \`npm dedupe\` or ` +
      `\`pnpm dedupe\` merges them; give every @chainrule package the same version) and do not load the ESM and ` +
      `CJS builds side by side outside Node (a bundler: configure one format).`,
  );
}
