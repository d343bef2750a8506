import type { GraphNode } from "../graph";
import type { Canonical, Fusion, Liveness, Step } from "./types";

/** The run's steps in execution order: one per live op, one per fused group (at its output). */
export function schedule(nodes: readonly GraphNode[], c: Canonical, l: Liveness, f: Fusion): Step[] {
  const { ins, rootOf } = c;
  const steps: Step[] = [];
  nodes.forEach((n, id) => {
    if (!l.live[id] || n.kind !== "op") return;
    const g = f.groupOf[id]!;
    if (g >= 0 && g !== id) return; // computed inside its group's loop
    if (g < 0) {
      steps.push({ kind: "kernel", id, reads: ins[id]!.map(rootOf) });
      return;
    }
    const members = f.groups.get(id)!;
    const inGroup = new Set(members);
    const ext: number[] = [];
    for (const m of members) for (const i of ins[m]!) if (!inGroup.has(i) && !ext.includes(i)) ext.push(i);
    steps.push({ kind: "fused", id, members, ext, reads: ext.map(rootOf) });
  });
  return steps;
}
