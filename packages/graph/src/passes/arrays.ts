import { NDArray, type Backend } from "@chainrule/ndarray";
import type { GraphNode } from "../graph";
import type { Buffers } from "./buffers";
import { checkResidence, type PlanMemory } from "./memory";
import type { Canonical, Liveness } from "./types";

/**
 * One array per live node, created once: placeholders get their own buffer (a handed-out one when
 * fetched), ops their planned slot, views a layout over their root's buffer; variables are read in
 * place, constants where kernels read.
 */
export function materialize(
  nodes: readonly GraphNode[],
  c: Canonical,
  l: Liveness,
  buffers: Buffers,
  memory: PlanMemory,
  backend: Backend,
  escaping: ReadonlySet<number>,
): (NDArray | undefined)[] {
  const arrays: (NDArray | undefined)[] = new Array(nodes.length);
  nodes.forEach((n, id) => {
    if (!l.live[id]) return;
    switch (n.kind) {
      case "placeholder":
        arrays[id] = memory.empty(n.shape, n.dtype, escaping.has(id));
        break;
      case "variable":
        checkResidence(n.value!, `Variable '${n.name}'`, backend);
        arrays[id] = n.value!;
        break;
      case "constant":
        arrays[id] = memory.resident(n.value!);
        break;
      case "op": {
        const slot = buffers.slotOf.get(id);
        if (slot) arrays[id] = memory.over(slot, n.shape);
        break;
      }
      case "view": {
        const root = arrays[c.rootOf(id)]!;
        arrays[id] = new NDArray(root.storage, n.shape, n.dtype, n.strides, n.offset);
        break;
      }
    }
  });
  return arrays;
}
