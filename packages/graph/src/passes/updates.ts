import type { Kernel, NDArray } from "@chainrule/ndarray";
import type { Graph, UpdateOp } from "../graph";
import { descentKey } from "./descent";
import type { Emitted } from "./emit";
import type { PlanMemory } from "./memory";
import type { Canonical, Liveness } from "./types";

export interface BoundUpdate {
  readonly op: UpdateOp;
  readonly grads: readonly (NDArray | null)[];
}

/** Whether `a` is contiguous and owns all of its storage (what an update may read as a flat buffer). */
const ownsStorage = (a: NDArray) => a.isContiguous && a.offset === 0 && a.storage.length === a.size;

/**
 * The fetched updates with the arrays they read: contiguous gradients that own their buffer, copied by
 * an extra step at the end of the run when they are views. Gradients fused into a descent are null.
 */
export function bindUpdates(
  graph: Graph,
  c: Canonical,
  l: Liveness,
  arrays: readonly (NDArray | undefined)[],
  fusedDescent: ReadonlySet<string>,
  memory: PlanMemory,
  copy: Kernel<"copy">,
  e: Emitted,
): BoundUpdate[] {
  const copies = new Map<number, NDArray>();
  const contiguous = (g: number, u: number): NDArray => {
    const a = arrays[g]!;
    if (ownsStorage(a)) return a;
    let dst = copies.get(g);
    if (!dst) {
      const out = (dst = memory.empty(a.shape, a.dtype));
      copies.set(g, out);
      e.runs.push(() => copy([a], {}, out));
      e.listing.push(`  [${e.runs.length - 1}] copy(%${g}) for update #${u}`);
    }
    return dst;
  };
  return l.updateSet.map((u) => {
    const op = graph.updates[u]!;
    const grads = op.grads.map((g0, k) => {
      if (g0 === null || fusedDescent.has(descentKey(u, k))) return null;
      return contiguous(c.canon[g0]!, u);
    });
    e.listing.push(`  update #${u} ${op.name}`);
    return { op, grads };
  });
}
