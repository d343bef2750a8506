import type { Node } from "./proto";

const permOf = (n: Node): number[] => (n.attribute ?? []).find((a) => a.name === "perm")!.ints!.map(Number);

/**
 * Removes Transpose pairs that undo each other (NCHW for one Conv or pool, back to NHWC, to NCHW again for
 * the next) and the nodes left with no reader. `keep` are names the graph outputs read.
 */
export function simplify(nodes: readonly Node[], keep: readonly string[]): Node[] {
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  const rename = new Map<string, string>();
  const resolve = (name: string) => rename.get(name) ?? name;
  for (const n of nodes) {
    n.input = (n.input ?? []).map(resolve);
    if (n.opType !== "Transpose") continue;
    const first = producer.get(n.input[0]!);
    if (first?.opType !== "Transpose") continue;
    const p1 = permOf(first);
    const p2 = permOf(n);
    if (p1.length === p2.length && p2.every((axis, i) => p1[axis] === i))
      rename.set(n.output![0]!, first.input![0]!);
  }
  const used = new Set(keep.map(resolve));
  const out: Node[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!(n.output ?? []).some((o) => used.has(o))) continue;
    for (const x of n.input ?? []) used.add(x);
    out.push(n);
  }
  return out.reverse();
}
