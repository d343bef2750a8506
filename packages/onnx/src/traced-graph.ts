import { zeros, type DType, type NDArray } from "@chainrule/ndarray";
import { OnnxError } from "./errors";

// The shapes of @chainrule/graph's public data that the exporter reads. Written structurally, so this
// package never imports graph: a TracedFunction from any copy of it is recognised.

export interface GraphNodeLike {
  readonly id: number;
  readonly kind: "placeholder" | "variable" | "constant" | "op" | "view";
  readonly op: string;
  readonly params: unknown;
  readonly inputs: readonly number[];
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly name: string | undefined;
  readonly value: NDArray | undefined;
}

export interface LeafLike {
  readonly kind: "node" | "update" | "none";
  readonly id: number;
}

export interface GraphLike {
  readonly nodes: readonly GraphNodeLike[];
  readonly placeholders: readonly number[];
  outputLeaves(): [string, LeafLike][];
}

/** What `trace` from @chainrule/graph returns, as far as the exporter needs it. */
export interface TracedLike {
  readonly placeholders: readonly { readonly shape: readonly (number | null)[]; readonly dtype: DType }[];
  graphFor(...inputs: NDArray[]): GraphLike;
}

export function isTraced(x: unknown): x is TracedLike {
  return (
    typeof x === "function" &&
    "graphFor" in x &&
    typeof x.graphFor === "function" &&
    "placeholders" in x &&
    Array.isArray(x.placeholders)
  );
}

/** The two batch sizes the function is traced at: dims that differ between them are batch dims. */
export const PROBE_BATCHES = [2, 3] as const;

/**
 * The two graphs of one traced function at batch sizes 2 and 3. Every placeholder must leave its first
 * axis `null` (and no other): a traced graph has concrete shapes, so the batch dimension is found by
 * tracing twice.
 */
export function probeGraphs(traced: TracedLike): [GraphLike, GraphLike] {
  traced.placeholders.forEach((p, i) => {
    const rest = p.shape.slice(1);
    if (p.shape[0] !== null || rest.includes(null)) {
      const shape = `[${p.shape.map((d) => d ?? "null").join(", ")}]`;
      throw new OnnxError(
        `exportOnnx: placeholder #${i} has shape ${shape}; declare the batch axis, and only it, as null ` +
          `(placeholder([null, ...rest])) so the file gets a dynamic batch dimension`,
      );
    }
  });
  const at = (batch: number) =>
    traced.graphFor(
      ...traced.placeholders.map((p) => zeros([batch, ...(p.shape.slice(1) as number[])], p.dtype)),
    );
  return [at(PROBE_BATCHES[0]), at(PROBE_BATCHES[1])];
}

/** For each node and axis: 0 for a fixed size, c > 0 for c × batch. */
export type BatchFactors = readonly (readonly number[])[];

export const describeNode = (n: GraphNodeLike) => `node %${n.id} (${n.op})`;

function sameValues(a: NDArray, b: NDArray): boolean {
  const x = a.dataSync();
  const y = b.dataSync();
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

// View ops carry their output shape in their parameters, which legitimately differ with the batch.
const SHAPE_PARAMS = new Set(["reshape", "expand", "slice"]);

function checkSameNode(a: GraphNodeLike, b: GraphNodeLike): void {
  const same =
    a.kind === b.kind &&
    a.op === b.op &&
    a.dtype === b.dtype &&
    a.shape.length === b.shape.length &&
    a.inputs.length === b.inputs.length &&
    a.inputs.every((x, i) => x === b.inputs[i]);
  if (!same) {
    throw new OnnxError(
      `exportOnnx: the traced function builds different graphs for batch sizes ${PROBE_BATCHES.join(" and ")} ` +
        `(${describeNode(a)} against ${describeNode(b)}); its structure must not depend on the batch size`,
    );
  }
  if (!SHAPE_PARAMS.has(a.op) && JSON.stringify(a.params) !== JSON.stringify(b.params)) {
    throw new OnnxError(`exportOnnx: ${describeNode(a)} has parameters that depend on the batch size`);
  }
}

/** Which axis of which node scales with the batch, from the graphs at batch sizes 2 and 3 (live nodes only). */
export function batchFactors(a: GraphLike, b: GraphLike, live: ReadonlySet<number>): BatchFactors {
  if (a.nodes.length !== b.nodes.length) {
    throw new OnnxError(
      `exportOnnx: the traced function builds graphs of ${a.nodes.length} and ${b.nodes.length} nodes for ` +
        `batch sizes ${PROBE_BATCHES.join(" and ")}; its structure must not depend on the batch size`,
    );
  }
  const [b1, b2] = PROBE_BATCHES;
  return a.nodes.map((n, i) => {
    const m = b.nodes[i]!;
    if (!live.has(i)) return [];
    checkSameNode(n, m);
    const factors = n.shape.map((d, axis) => {
      const e = m.shape[axis]!;
      if (d === e) return 0;
      const c = d / b1;
      if (!Number.isInteger(c) || e !== c * b2) {
        throw new OnnxError(
          `exportOnnx: ${describeNode(n)} has axis ${axis} of size ${d} at batch ${b1} and ${e} at batch ${b2}, ` +
            "not a multiple of the batch size",
        );
      }
      return c;
    });
    if (n.kind === "constant" || n.kind === "variable") {
      if (factors.some((c) => c > 0) || !sameValues(n.value!, m.value!)) {
        throw new OnnxError(
          `exportOnnx: ${describeNode(n)} is a ${n.kind} whose value depends on the batch size ` +
            "(an array built from the batch size, or a mean over the batch); compute it from the inputs instead",
        );
      }
    }
    return factors;
  });
}
