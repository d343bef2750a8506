import { GraphError } from "../errors";
import type { Graph, Leaf } from "../graph";
import type { Canonical, Liveness } from "./types";

/** The nodes the fetches need (fetched nodes and the gradients fetched updates read), and who reads them. */
export function liveness(graph: Graph, leaves: readonly Leaf[], c: Canonical): Liveness {
  const { canon, ins } = c;
  const nodes = graph.nodes;
  const updateSet = [...new Set(leaves.filter((l) => l.kind === "update").map((l) => l.id))];
  const usedOutside = new Uint8Array(nodes.length);
  for (const l of leaves) if (l.kind === "node") usedOutside[canon[l.id]!] = 1;
  for (const u of updateSet)
    for (const g of graph.updates[u]!.grads) if (g !== null) usedOutside[canon[g]!] = 1;
  const live = usedOutside.slice();
  for (let id = nodes.length - 1; id >= 0; id--) if (live[id]) for (const i of ins[id]!) live[i] = 1;
  const consumers: number[][] = nodes.map(() => []);
  let liveNodes = 0;
  let liveOps = 0;
  nodes.forEach((n, id) => {
    if (!live[id]) return;
    liveNodes++;
    for (const i of ins[id]!) consumers[i]!.push(id);
    if (n.unsupported) throw new GraphError(`graph: cannot run node %${id}: ${n.unsupported}`);
    if (n.kind === "op") liveOps++;
  });
  return { updateSet, usedOutside, live, consumers, liveNodes, liveOps };
}
