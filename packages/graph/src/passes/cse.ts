import { shapesEqual } from "@chainrule/ndarray";
import type { GraphNode } from "../graph";
import { isBuiltin } from "../tracer";
import type { Canonical } from "./types";

const REDUCTIONS = new Set(["sum", "prod", "max", "min"]);

/**
 * A reduction over axes that all have size 1 (a bias gradient at batch size 1) returns its input
 * unchanged, in the same shape: it becomes that input when the input is an op's output or a
 * placeholder (which own a contiguous buffer, so views of the reduction's output stay valid; not a
 * Variable, which the run's updates change). The one possible difference with the kernel is
 * the sign of a zero in a sum (0 + -0 is 0).
 */
function identityReduce(
  n: GraphNode,
  ins: readonly number[],
  nodes: readonly GraphNode[],
): number | undefined {
  if (n.kind !== "op" || !REDUCTIONS.has(n.op) || n.unsupported || !isBuiltin(n.prim!)) return undefined;
  const x = nodes[ins[0]!]!;
  if (x.dtype !== n.dtype || !(x.kind === "op" || x.kind === "placeholder")) return undefined;
  if (x.unsupported || !shapesEqual(x.shape, n.shape)) return undefined;
  return ins[0];
}

const primIds = new WeakMap<object, number>();
let nextPrimId = 0;
function primId(p: object): number {
  let id = primIds.get(p);
  if (id === undefined) primIds.set(p, (id = nextPrimId++));
  return id;
}

function cseKey(n: GraphNode, ins: readonly number[], canon: Int32Array): string | undefined {
  switch (n.kind) {
    case "op":
      if (n.unsupported) return undefined;
      // Keyed on the primitive object: two primitives may share a name.
      return `o|${primId(n.prim!)}|${ins.join(",")}|${JSON.stringify(n.params) ?? ""}`;
    case "view":
      // Views with the same layout over the same buffer are the same array, whatever made them.
      return `v|${canon[n.root]}|${n.dtype}|${n.shape.join(",")}|${n.strides.join(",")}|${n.offset}`;
    case "constant": {
      const v = n.value!;
      if (v.size !== 1 || v.storage.length !== 1 || v.onDevice) return undefined;
      const x = v.buffer[0]!;
      return `c|${n.dtype}|${n.shape.join(",")}|${Object.is(x, -0) ? "-0" : String(x)}`;
    }
    default:
      return undefined;
  }
}

/**
 * Common subexpressions: the same op on the same inputs with the same params is computed once
 * (gradient rules often repeat themselves, e.g. both halves of square's rule), and reductions over
 * size-1 axes become their input.
 */
export function cse(nodes: readonly GraphNode[]): Canonical {
  const canon = new Int32Array(nodes.length);
  const ins: number[][] = new Array(nodes.length);
  const seen = new Map<string, number>();
  nodes.forEach((n, id) => {
    const own = n.inputs.map((i) => canon[i]!);
    ins[id] = own;
    const same = identityReduce(n, own, nodes);
    const key = same === undefined ? cseKey(n, own, canon) : undefined;
    const prev = same ?? (key === undefined ? undefined : seen.get(key));
    if (prev !== undefined) canon[id] = prev;
    else {
      canon[id] = id;
      if (key !== undefined) seen.set(key, id);
    }
  });
  return { canon, ins, rootOf: (i) => canon[nodes[i]!.root]! };
}
