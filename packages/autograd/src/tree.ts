import { foreignCopy, foreignCopyError, NDArray } from "@chainrule/ndarray";

/** Arrays, or arrays and records of them, nested: the shapes `gradient` accepts and returns. */
export type Tree<T = NDArray> = T | readonly Tree<T>[] | { readonly [key: string]: Tree<T> };

/** Replaces every array leaf with `Out`, keeping the structure. */
export type MapTree<S, Out> = S extends NDArray
  ? Out
  : S extends readonly unknown[]
    ? { [K in keyof S]: MapTree<S[K], Out> }
    : S extends object
      ? { [K in keyof S]: MapTree<S[K], Out> }
      : never;

export function flatten(tree: Tree<unknown>, what: string): NDArray[] {
  const out: NDArray[] = [];
  const visit = (t: unknown): void => {
    if (t instanceof NDArray) out.push(t);
    else if (foreignCopy(t)) throw foreignCopyError(what, foreignCopy(t)!);
    else if (Array.isArray(t)) t.forEach(visit);
    else if (t !== null && typeof t === "object") Object.values(t).forEach(visit);
    else throw new TypeError(`${what}: expected NDArrays (or arrays/records of them), got ${String(t)}`);
  };
  visit(tree);
  return out;
}

/** Rebuilds `tree`'s structure with the leaves taken in order from `leaves`. */
export function unflatten(tree: unknown, leaves: readonly unknown[]): unknown {
  let i = 0;
  const build = (t: unknown): unknown => {
    if (t instanceof NDArray) return leaves[i++];
    if (Array.isArray(t)) return t.map(build);
    return Object.fromEntries(Object.entries(t as object).map(([k, v]) => [k, build(v)]));
  };
  return build(tree);
}
