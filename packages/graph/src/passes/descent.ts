import type { Variable } from "@chainrule/autograd";
import type { Graph, GraphNode, Leaf } from "../graph";
import { isBuiltin } from "../tracer";
import type { Canonical, Liveness, Step } from "./types";

/** Largest m·n·k for which a descent step is fused into its gradient's matmul (descendMatmul's loop). */
export const DESCENT_MAX_MACS = 32 * 32 * 32;

/** The key of variable `k` of update `u` in `fuseDescent`'s result. */
export const descentKey = (u: number, k: number) => `${u}:${k}`;

interface Uses {
  /** How often each canonical node is fetched or read by an update. */
  refs: Uint8Array;
  /** How many updates step each variable. */
  varUses: Map<Variable, number>;
  /** Variables some update reads as (a view of) a gradient: they must keep their value until the updates. */
  readByUpdates: Set<unknown>;
}

function uses(graph: Graph, leaves: readonly Leaf[], c: Canonical, l: Liveness): Uses {
  const refs = new Uint8Array(graph.nodes.length);
  for (const leaf of leaves) if (leaf.kind === "node") refs[c.canon[leaf.id]!]! += 1;
  const varUses = new Map<Variable, number>();
  const readByUpdates = new Set<unknown>();
  for (const u of l.updateSet)
    for (const [k, g] of graph.updates[u]!.grads.entries()) {
      if (g !== null) {
        refs[c.canon[g]!]! += 1;
        const r = graph.nodes[c.rootOf(c.canon[g]!)]!;
        if (r.kind === "variable") readByUpdates.add(r.value);
      }
      const v = graph.updates[u]!.vars[k]!;
      varUses.set(v, (varUses.get(v) ?? 0) + 1);
    }
  return { refs, varUses, readByUpdates };
}

/** Whether θ's descent step can be fused into the small 2-D float matmul `g` that computes its gradient. */
function fusible(
  nodes: readonly GraphNode[],
  c: Canonical,
  l: Liveness,
  u: Uses,
  g: number,
  theta: Variable,
): boolean {
  const n = nodes[g]!;
  if (n.kind !== "op" || n.op !== "matmul" || !isBuiltin(n.prim!) || n.shape.length !== 2) return false;
  if (u.refs[g] !== 1 || l.consumers[g]!.length > 0 || u.varUses.get(theta) !== 1) return false;
  if (u.readByUpdates.has(theta)) return false;
  if (n.dtype !== theta.dtype || (n.dtype !== "float32" && n.dtype !== "float64")) return false;
  const a = nodes[c.ins[g]![0]!]!;
  if (a.shape.length !== 2 || n.shape[0]! * n.shape[1]! * a.shape[1]! > DESCENT_MAX_MACS) return false;
  return theta.isContiguous && theta.offset === 0 && !theta.onDevice;
}

/**
 * Plain descent through a small matmul (a per-sample weight gradient xᵀ·δ): θ ← θ − lr·(x @ δ) in one
 * loop, moved to the end of the run so that it follows every read of θ, instead of writing the gradient
 * and updating from it. Only for a gradient nothing else reads or fetches. Returns the new steps and
 * the fused (update, variable) pairs, whose gradients the update then skips.
 */
export function fuseDescent(
  graph: Graph,
  leaves: readonly Leaf[],
  c: Canonical,
  l: Liveness,
  steps: readonly Step[],
): { steps: Step[]; fused: Set<string> } {
  const out = [...steps];
  const fused = new Set<string>();
  const u = uses(graph, leaves, c, l);
  for (const ui of l.updateSet) {
    const op = graph.updates[ui]!;
    if (!op.descent) continue;
    op.grads.forEach((g0, k) => {
      if (g0 === null) return;
      const g = c.canon[g0]!;
      const theta = op.vars[k]!;
      if (!fusible(graph.nodes, c, l, u, g, theta)) return;
      const at = out.findIndex((s) => s.kind === "kernel" && s.id === g);
      if (at < 0) return;
      out.splice(at, 1);
      const learningRate = op.descent!.learningRate;
      out.push({ kind: "descent", id: g, reads: c.ins[g]!.map(c.rootOf), theta, learningRate });
      fused.add(descentKey(ui, k));
    });
  }
  return { steps: out, fused };
}
