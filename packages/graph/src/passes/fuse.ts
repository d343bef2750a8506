import { shapesEqual } from "@chainrule/ndarray";
import { isElementwise } from "../fusion";
import type { GraphNode } from "../graph";
import { isBuiltin } from "../tracer";
import type { Canonical, Fusion, Liveness } from "./types";

/** `shape` broadcasts to `to` (NumPy rules: align right, sizes equal or 1). */
export function broadcastable(shape: readonly number[], to: readonly number[]): boolean {
  const lead = to.length - shape.length;
  return lead >= 0 && shape.every((d, i) => d === 1 || d === to[lead + i]);
}

/**
 * Elementwise fusion: groups grow backwards from each elementwise op whose value is needed, over
 * inputs of the same shape that nothing outside the group reads. Groups of one are dropped.
 */
export function fuse(nodes: readonly GraphNode[], c: Canonical, l: Liveness): Fusion {
  const { ins } = c;
  const { live, usedOutside, consumers } = l;
  const groupOf = new Int32Array(nodes.length).fill(-1);
  const groups = new Map<number, number[]>();
  const fusible = (id: number) => {
    const n = nodes[id]!;
    return live[id] === 1 && n.kind === "op" && isElementwise(n.op) && isBuiltin(n.prim!);
  };
  const canJoin = (i: number, group: number, shape: readonly number[]) =>
    groupOf[i]! < 0 &&
    fusible(i) &&
    !usedOutside[i] &&
    shapesEqual(nodes[i]!.shape, shape) &&
    consumers[i]!.every((c) => groupOf[c] === group);
  for (let id = nodes.length - 1; id >= 0; id--) {
    if (!fusible(id) || groupOf[id]! >= 0) continue;
    const shape = nodes[id]!.shape;
    const members = [id];
    groupOf[id] = id;
    const stack = [id]; // depth first, as the members' order of discovery decides who may join
    while (stack.length) {
      for (const i of ins[stack.pop()!]!) {
        if (!canJoin(i, id, shape)) continue;
        groupOf[i] = id;
        members.push(i);
        stack.push(i);
      }
    }
    // External inputs come in their own shapes and broadcast to the group's (as in the kernels).
    const ok = members.every((m) =>
      ins[m]!.every((i) => groupOf[i] === id || broadcastable(nodes[i]!.shape, shape)),
    );
    if (members.length >= 2 && ok)
      groups.set(
        id,
        members.sort((a, b) => a - b),
      );
    else for (const m of members) groupOf[m] = -1;
  }
  return { groupOf, groups };
}
