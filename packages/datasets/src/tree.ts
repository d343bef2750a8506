import { NDArray } from "@chainrule/ndarray";

/**
 * What a dataset element or batch is: an NDArray, or arrays and records of them
 * (`{ x, y }`, `[x, y]`). Batching stacks every leaf along a new leading axis.
 */
export type ArrayTree = NDArray | readonly ArrayTree[] | { readonly [key: string]: ArrayTree };

function isRecord(v: unknown): v is Record<string, ArrayTree> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof NDArray);
}

/** Applies `fn` to every leaf, keeping the structure. `path` names the leaf (`x`, `1`, `inputs.image`). */
export function mapTree<T extends ArrayTree>(
  tree: T,
  fn: (leaf: NDArray, path: string) => NDArray,
  path = "",
): T {
  const join = (key: string | number) => (path ? `${path}.${key}` : String(key));
  if (tree instanceof NDArray) return fn(tree, path || "value") as T;
  if (Array.isArray(tree)) return tree.map((t: ArrayTree, i) => mapTree(t, fn, join(i))) as unknown as T;
  if (isRecord(tree)) {
    const out: Record<string, ArrayTree> = {};
    for (const [k, v] of Object.entries(tree)) out[k] = mapTree(v, fn, join(k));
    return out as T;
  }
  throw new TypeError(
    `expected NDArrays (or arrays/records of them), got ${typeof tree} at '${path || "value"}'`,
  );
}

/** The leaves in a fixed order (depth first, record keys in insertion order). */
export function treeLeaves(tree: ArrayTree): NDArray[] {
  const out: NDArray[] = [];
  mapTree(tree, (leaf) => {
    out.push(leaf);
    return leaf;
  });
  return out;
}

/** One tree shaped like `trees[0]` whose leaf at each position is `fn(the leaves of all trees there)`. */
export function zipTrees<T extends ArrayTree>(
  trees: readonly T[],
  fn: (leaves: NDArray[], path: string) => NDArray,
): T {
  const columns = trees.map(treeLeaves);
  let i = 0;
  return mapTree(trees[0]!, (_, path) => {
    const k = i++;
    return fn(
      columns.map((leaves, j) => {
        const leaf = leaves[k];
        if (!leaf)
          throw new TypeError(`element ${j} does not have the same structure as element 0 (at '${path}')`);
        return leaf;
      }),
      path,
    );
  });
}
