import type { GraphLike, GraphNodeLike } from "./traced-graph";
import type { Window } from "./traced-ops";

/**
 * layer-conv's convolution as traced: im2col(x) → reshape [N·oh·ow, K] → matmul with the kernel reshaped
 * [kh, kw, cin, cout] → [K, cout] → reshape [N, oh, ow, cout]. Found, it is written as one ONNX Conv.
 */
export interface ConvMatch {
  /** The convolution's input (NHWC). */
  readonly input: number;
  /** The kernel node, shape [kh, kw, cin, cout]. */
  readonly kernel: number;
  readonly window: Window;
}

function useCounts(g: GraphLike, live: ReadonlySet<number>, outputs: readonly number[]): Map<number, number> {
  const uses = new Map<number, number>();
  const use = (id: number) => uses.set(id, (uses.get(id) ?? 0) + 1);
  for (const n of g.nodes) if (live.has(n.id)) n.inputs.forEach(use);
  outputs.forEach(use);
  return uses;
}

/** The convolution ending at reshape node `r`, if it is one; `only` says whether a node has no other use. */
function matchConv(g: GraphLike, r: GraphNodeLike, only: (id: number) => boolean): ConvMatch | undefined {
  const node = (id: number | undefined) => (id === undefined ? undefined : g.nodes[id]);
  const mm = node(r.inputs[0]);
  if (r.op !== "reshape" || mm?.op !== "matmul" || !only(mm.id)) return undefined;
  const rows = node(mm.inputs[0]);
  const kmat = node(mm.inputs[1]);
  const cols = node(rows?.inputs[0]);
  const kernel = node(kmat?.inputs[0]);
  if (rows?.op !== "reshape" || !only(rows.id) || cols?.op !== "im2col" || !only(cols.id)) return undefined;
  if (kmat?.op !== "reshape" || kernel === undefined) return undefined;
  const w = cols.params as Window;
  const [n, oh, ow, k] = cols.shape;
  const cout = kmat.shape[1];
  const sameKernel =
    kernel.shape.length === 4 &&
    kernel.shape[0] === w.kh &&
    kernel.shape[1] === w.kw &&
    kernel.shape[2] === w.channels &&
    kernel.shape[3] === cout &&
    k === w.kh * w.kw * w.channels;
  const sameOut = r.shape.length === 4 && [n, oh, ow, cout].every((d, i) => r.shape[i] === d);
  if (!sameKernel || !sameOut) return undefined;
  return { input: cols.inputs[0]!, kernel: kernel.id, window: w };
}

/** Convolutions by the id of their last node, and the nodes they absorb (not written on their own). */
export function findConvs(
  g: GraphLike,
  live: ReadonlySet<number>,
  outputs: readonly number[],
): { convs: Map<number, ConvMatch>; absorbed: Set<number> } {
  const uses = useCounts(g, live, outputs);
  const only = (id: number) => uses.get(id) === 1;
  const convs = new Map<number, ConvMatch>();
  const absorbed = new Set<number>();
  for (const r of g.nodes) {
    if (!live.has(r.id)) continue;
    const m = matchConv(g, r, only);
    if (!m) continue;
    convs.set(r.id, m);
    const mm = g.nodes[r.inputs[0]!]!;
    const rows = g.nodes[mm.inputs[0]!]!;
    absorbed.add(mm.id).add(rows.id).add(rows.inputs[0]!);
    if (only(mm.inputs[1]!)) absorbed.add(mm.inputs[1]!);
  }
  return { convs, absorbed };
}
