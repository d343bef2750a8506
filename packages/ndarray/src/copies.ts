// Two copies of a package in one process (the ESM and CJS builds side by side, or a duplicated install) each
// have their own classes and state, so an instance of one is not an instance to the other. Each copy brands its
// classes' prototypes with a well-known symbol and a description of itself, so that the other copy can say
// exactly what happened instead of "expected an NDArray". Symbol.for only names the brand: the value lives on
// each copy's own prototype and nothing is shared or mutated. Every @chainrule package brands its classes that
// users pass to other packages (Variable, Module, Placeholder…) through `brandClass`.
import { NDArray } from "./ndarray";

declare const __CHAINRULE_COPY__: Partial<CopyInfo> | undefined;

/** Which copy of a package this is. */
export interface CopyInfo {
  readonly package: string;
  readonly version: string;
  /** `esm`, `cjs`, or `source` (the TypeScript sources, in this repository's tests). */
  readonly format: string;
}

/**
 * Describes this build of `pkg`. `built` is what the build stamped in (each package's tsup config defines
 * `__CHAINRULE_COPY__` through scripts/tsup-shared.ts); without it (running from the sources) the version and
 * format read `source`.
 */
export function copyOf(pkg: string, built: Partial<CopyInfo> | undefined): CopyInfo {
  return Object.freeze({
    package: pkg,
    version: typeof built?.version === "string" ? built.version : "source",
    format: typeof built?.format === "string" ? built.format : "source",
  });
}

/** The check for one class: is a value an instance of the same class from another copy of its package? */
export interface ClassBrand {
  readonly className: string;
  /** The copy that defines the branded class. */
  readonly copy: CopyInfo;
  /** The other copy `x` belongs to, when `x` is an instance of this class from another copy. */
  foreign(x: unknown): CopyInfo | undefined;
  /** The error for an instance of another copy, naming both copies and the fix. */
  error(what: string, other: CopyInfo): TypeError;
  /** Throws `error(what, …)` when `x` is an instance of this class from another copy. */
  reject(x: unknown, what: string): void;
}

type AnyClass = abstract new (...args: never[]) => object;

/**
 * Brands `cls` (once, where it is defined) as `copy`'s `className`, and returns the check other code of
 * the same copy runs on values users hand it. `shares` names what two copies do not share, for the error.
 */
export function brandClass(
  cls: AnyClass,
  className: string,
  copy: CopyInfo,
  shares = "classes or state",
): ClassBrand {
  const key = Symbol.for(`${copy.package}.${className}`);
  Object.defineProperty(cls.prototype, key, { value: copy, enumerable: false });
  const foreign = (x: unknown): CopyInfo | undefined => {
    if (x === null || (typeof x !== "object" && typeof x !== "function") || x instanceof cls)
      return undefined;
    const info = (x as { [key]?: CopyInfo })[key];
    return info && typeof info.version === "string" ? info : undefined;
  };
  const error = (what: string, other: CopyInfo): TypeError =>
    new TypeError(foreignMessage(what, className, copy, other, shares));
  return {
    className,
    copy,
    foreign,
    error,
    reject(x, what) {
      const other = foreign(x);
      if (other) throw error(what, other);
    },
  };
}

function foreignMessage(what: string, cls: string, me: CopyInfo, other: CopyInfo, shares: string): string {
  const pkg = me.package;
  // "an NDArray" (read letter by letter), "an Optimizer", "a Module".
  const article = /^([AEIOU]|[FHLMNRSX][A-Z])/.test(cls) ? "an" : "a";
  return (
    `${what}: got ${article} ${cls} from another copy of ${pkg} (version ${other.version}, ${other.format} build) ` +
    `than the one this code uses (version ${me.version}, ${me.format} build). Two copies do not share ${shares}. ` +
    `Fix: install one copy (\`npm ls ${pkg}\` lists them, \`npm dedupe\` or \`pnpm dedupe\` merges them; give ` +
    `every @chainrule package the same version) and do not load the ESM and CJS builds side by side outside ` +
    `Node (a bundler: configure one format).`
  );
}

/** This copy of @chainrule/ndarray. */
export const THIS_COPY: CopyInfo = copyOf(
  "@chainrule/ndarray",
  typeof __CHAINRULE_COPY__ === "object" ? __CHAINRULE_COPY__ : undefined,
);

let ndarrayBrand: ClassBrand | undefined;
// Branded on first use rather than at module load: this module is part of the NDArray class's import cycle.
const ndarray = (): ClassBrand =>
  (ndarrayBrand ??= brandClass(NDArray, "NDArray", THIS_COPY, "arrays, backends or tapes"));

/** Marks this copy's NDArray prototype (once, at load). */
export function brandNDArray(): void {
  ndarray();
}

/** The other copy `x` belongs to, when it is an NDArray of another copy of this package. */
export function foreignCopy(x: unknown): CopyInfo | undefined {
  return ndarray().foreign(x);
}

/** The error for an array of another copy, naming both copies and the fix. */
export function foreignCopyError(what: string, other: CopyInfo): TypeError {
  return ndarray().error(what, other);
}
