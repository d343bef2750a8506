import { add, onesLike, shapesEqual, ShapeError, type NDArray, type Primitive } from "@chainrule/ndarray";

/** One recorded primitive application. */
export interface TapeNode {
  readonly prim: Primitive;
  readonly inputs: readonly NDArray[];
  readonly output: NDArray;
  readonly params: unknown;
}

/**
 * Reverse accumulation over recorded nodes (in execution order). Only nodes on a path from a
 * source to the target run their rules, and only for inputs that depend on a source.
 * Returns the gradient of each source, or undefined where the target does not depend on it.
 */
export function backward(
  nodes: readonly TapeNode[],
  targets: readonly NDArray[],
  seeds: readonly (NDArray | undefined)[],
  sources: readonly NDArray[],
): (NDArray | undefined)[] {
  // Forward sweep: which arrays depend on some source.
  const dependsOnSource = new Set<NDArray>(sources);
  const relevant = new Uint8Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    for (const x of n.inputs) {
      if (dependsOnSource.has(x)) {
        relevant[i] = 1;
        dependsOnSource.add(n.output);
        break;
      }
    }
  }

  const grads = new Map<NDArray, NDArray>();
  const accumulate = (x: NDArray, g: NDArray) => {
    const prev = grads.get(x);
    grads.set(x, prev === undefined ? g : add(prev, g));
  };
  targets.forEach((t, i) => {
    if (!dependsOnSource.has(t)) return;
    const seed = seeds[i];
    if (seed && !shapesEqual(seed.shape, t.shape)) {
      throw new ShapeError(
        `gradient: output gradient of shape [${seed.shape.join(", ")}] does not match target shape [${t.shape.join(", ")}]`,
      );
    }
    accumulate(t, seed ?? onesLike(t));
  });

  for (let i = nodes.length - 1; i >= 0; i--) {
    if (!relevant[i]) continue;
    const n = nodes[i]!;
    const g = grads.get(n.output);
    if (g === undefined) continue;
    const needs = n.inputs.map((x) => dependsOnSource.has(x));
    const inputGrads = n.prim.vjp(g, n.inputs, n.output, n.params, needs);
    for (let j = 0; j < n.inputs.length; j++) {
      const gj = inputGrads[j];
      if (needs[j] && gj) accumulate(n.inputs[j]!, gj);
    }
  }
  return sources.map((s) => grads.get(s));
}
