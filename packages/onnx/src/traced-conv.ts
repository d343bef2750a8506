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
  /** The bias node ([cout]) when the convolution's only use adds it: Conv's third input. */
  readonly bias?: number;
  /** Whether that use was layer-conv's biasRelu (relu(y + bias)): a Relu follows the Conv. */
  readonly relu?: boolean;
}

/** For each node, the live nodes that read it (an output counts as a reader, `-1`). */
function readers(g: GraphLike, live: ReadonlySet<number>, outputs: readonly number[]): Map<number, number[]> {
  const by = new Map<number, number[]>();
  const read = (id: number, by_: number) => by.set(id, [...(by.get(id) ?? []), by_]);
  for (const n of g.nodes) if (live.has(n.id)) n.inputs.forEach((i) => read(i, n.id));
  outputs.forEach((id) => read(id, -1));
  return by;
}

/** The add of a [cout] bias (or biasRelu, its ReLU epilogue) that is the convolution's only reader, if any. */
function biasAdd(g: GraphLike, r: GraphNodeLike, readBy: Map<number, number[]>): GraphNodeLike | undefined {
  const users = readBy.get(r.id) ?? [];
  const add = users.length === 1 && users[0]! >= 0 ? g.nodes[users[0]!] : undefined;
  if ((add?.op !== "add" && add?.op !== "biasRelu") || add.inputs[0] !== r.id || add.dtype !== r.dtype) {
    return undefined;
  }
  const bias = g.nodes[add.inputs[1]!]!;
  const same = add.shape.length === 4 && add.shape.every((d, i) => d === r.shape[i]);
  return same && bias.shape.length === 1 && bias.shape[0] === r.shape[3] ? add : undefined;
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
  const readBy = readers(g, live, outputs);
  const only = (id: number) => readBy.get(id)?.length === 1;
  const convs = new Map<number, ConvMatch>();
  const absorbed = new Set<number>();
  for (const r of g.nodes) {
    if (!live.has(r.id)) continue;
    const m = matchConv(g, r, only);
    if (!m) continue;
    const add = biasAdd(g, r, readBy);
    if (add) {
      convs.set(add.id, { ...m, bias: add.inputs[1]!, relu: add.op === "biasRelu" });
      absorbed.add(r.id);
    } else convs.set(r.id, m);
    const mm = g.nodes[r.inputs[0]!]!;
    const rows = g.nodes[mm.inputs[0]!]!;
    absorbed.add(mm.id).add(rows.id).add(rows.inputs[0]!);
    if (only(mm.inputs[1]!)) absorbed.add(mm.inputs[1]!);
  }
  return { convs, absorbed };
}
