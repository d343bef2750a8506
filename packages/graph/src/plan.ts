import {
  NDArray,
  getBackend,
  kernelsOf,
  type Backend,
  type DefinedPrimitive,
  type DType,
  type Kernel,
  type KernelPrim,
} from "@chainrule/ndarray";
import { GraphError } from "./errors";
import { isBuiltin } from "./tracer";
import type { Graph, GraphNode, Leaf } from "./graph";
import { cse } from "./passes/cse";
import { liveness } from "./passes/liveness";
import { fuse } from "./passes/fuse";
import { schedule } from "./passes/schedule";
import { fuseDescent } from "./passes/descent";
import { assignBuffers } from "./passes/buffers";
import { materialize } from "./passes/arrays";
import { emitSteps, type KernelOf } from "./passes/emit";
import { bindUpdates, type BoundUpdate } from "./passes/updates";
import { planMemory, type PlanMemory } from "./passes/memory";
import type { Canonical, Fusion, Liveness } from "./passes/types";

export interface PlanOptions {
  /** Fuse chains of elementwise ops into one loop (default true). */
  fusion?: boolean;
  /** Generate the fused loops' code with `new Function` (default true; falls back automatically where CSP forbids it). */
  codegen?: boolean;
}

export interface PlanStats {
  /** Nodes in the graph. */
  nodes: number;
  /** Nodes the fetches need (the rest are skipped). */
  liveNodes: number;
  /** Live nodes that compute (ops); views, placeholders, variables and constants cost nothing. */
  liveOps: number;
  /** Kernel calls (and fused loops) per run. */
  kernelLaunches: number;
  fusedGroups: number;
  /** Ops computed inside fused loops. */
  fusedOps: number;
  /** Intermediate buffers, allocated once when the plan is built and reused on every run. */
  buffers: number;
  bufferBytes: number;
  /** Whether the fused loops are generated code (false: the CSP-safe interpreter). */
  generatedCode: boolean;
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1, bool: 1 };

/** Built-in primitives run the backend's kernel; primitives from definePrimitive bring their own. */
function kernelResolver(backend: Backend): KernelOf {
  const kernels = kernelsOf(backend) as unknown as Record<string, Kernel<KernelPrim> | undefined>;
  return (n: GraphNode) =>
    isBuiltin(n.prim!)
      ? kernels[n.op]
      : ((n.prim as DefinedPrimitive<unknown>).kernelFor(backend) as Kernel<KernelPrim>);
}

function checkKernels(nodes: readonly GraphNode[], l: Liveness, kernelOf: KernelOf, backend: Backend): void {
  nodes.forEach((n, id) => {
    if (l.live[id] && n.kind === "op" && typeof kernelOf(n) !== "function")
      throw new GraphError(
        `graph: the '${backend.name}' backend has no kernel for primitive '${n.op}' (node %${id})`,
      );
  });
}

const noFusion = (n: number): Fusion => ({ groupOf: new Int32Array(n).fill(-1), groups: new Map() });

/** Fusion needs a way to run a group: generated JS over host memory, or the device backend's own. */
const canFuse = (backend: Backend, options: PlanOptions) =>
  (options.fusion ?? true) && (!backend.device || typeof backend.compileElementwise === "function");

/**
 * An executable plan for one graph, one set of fetches and one backend, built by a pipeline of passes
 * (`cse` → `liveness` → `fuse` → `schedule` → `fuseDescent` → `assignBuffers` → `materialize` →
 * `emitSteps` → `bindUpdates`): the live nodes in order, elementwise chains fused, every intermediate
 * array (and view) created once over planned buffers — on the device for device backends. A run
 * copies the feeds into the placeholders' buffers, calls the kernels, applies the updates.
 */
export class Plan {
  readonly backend: Backend;
  readonly stats: PlanStats;
  /** The arrays each run returns for the fetches (the same objects on every run). */
  readonly results: readonly (NDArray | null)[];
  private readonly inputArrays: (NDArray | undefined)[];
  private readonly runs: (() => void)[];
  private readonly updates: BoundUpdate[];
  private readonly listing: string[];
  private readonly copyKernel: Kernel<"copy">;
  private readonly memory: PlanMemory;

  constructor(
    readonly graph: Graph,
    leaves: readonly Leaf[],
    options: PlanOptions = {},
  ) {
    const backend = (this.backend = getBackend());
    const memory = (this.memory = planMemory(backend, this));
    this.copyKernel = kernelsOf(backend).copy;
    const nodes = graph.nodes;
    const kernelOf = kernelResolver(backend);
    const c = cse(nodes);
    const l = liveness(graph, leaves, c);
    checkKernels(nodes, l, kernelOf, backend);
    const f = canFuse(backend, options) ? fuse(nodes, c, l) : noFusion(nodes.length);
    const planned = schedule(nodes, c, l, f);
    const { steps, fused } = memory.device
      ? { steps: planned, fused: new Set<string>() }
      : fuseDescent(graph, leaves, c, l, planned);
    const escaping = fetchedRoots(leaves, c);
    const buffers = assignBuffers(nodes, c, l, steps, memory, escaping);
    const arrays = materialize(nodes, c, l, buffers, memory, backend, escaping);
    const codegen = options.codegen ?? true;
    const e = emitSteps({ nodes, c, arrays, buffers, backend, memory, kernelOf, codegen }, steps);
    this.updates = bindUpdates(graph, c, l, arrays, fused, memory, this.copyKernel, e);
    this.runs = e.runs;
    this.listing = e.listing;
    this.inputArrays = graph.placeholders.map((id) => arrays[id]);
    this.results = leaves.map((leaf) => (leaf.kind === "node" ? arrays[c.canon[leaf.id]!]! : null));
    this.stats = planStats(graph, l, f.groups.size, e, buffers.slots);
  }

  /** Runs the plan on the feeds (one per placeholder, already checked) and returns `results`. */
  execute(inputs: readonly NDArray[]): readonly (NDArray | null)[] {
    const ph = this.inputArrays;
    for (let i = 0; i < ph.length; i++) {
      const dst = ph[i];
      if (dst !== undefined) this.memory.feed(dst, inputs[i]!, this.copyKernel);
    }
    const runs = this.runs;
    for (let i = 0; i < runs.length; i++) runs[i]!();
    const ups = this.updates;
    for (let i = 0; i < ups.length; i++) ups[i]!.op.apply(ups[i]!.grads);
    return this.results;
  }

  /** The steps of a run, one per line: kernels, fused loops (with their ops), the buffer each writes. */
  toString(): string {
    const s = this.stats;
    const head =
      `plan on '${this.backend.name}': ${s.kernelLaunches} kernel launches for ${s.liveOps} ops ` +
      `(${s.fusedGroups} fused loop${s.fusedGroups === 1 ? "" : "s"} covering ${s.fusedOps} ops), ` +
      `${s.liveNodes}/${s.nodes} nodes live, ` +
      `${s.buffers} buffers (${s.bufferBytes} bytes)`;
    return [head, ...this.listing].join("\n");
  }
}

/** The nodes owning the buffers of fetched values: what a run hands out, which may outlive the plan. */
function fetchedRoots(leaves: readonly Leaf[], c: Canonical): Set<number> {
  return new Set(leaves.filter((l) => l.kind === "node").map((l) => c.rootOf(c.canon[l.id]!)));
}

function planStats(
  graph: Graph,
  l: Liveness,
  fusedGroups: number,
  e: { runs: unknown[]; fusedOps: number; generatedCode: boolean },
  slots: readonly { dtype: DType; storage: { length: number } }[],
): PlanStats {
  return {
    nodes: graph.nodes.length,
    liveNodes: l.liveNodes,
    liveOps: l.liveOps,
    kernelLaunches: e.runs.length,
    fusedGroups,
    fusedOps: e.fusedOps,
    buffers: slots.length,
    bufferBytes: slots.reduce((a, s) => a + s.storage.length * BYTES[s.dtype], 0),
    generatedCode: fusedGroups > 0 && e.generatedCode,
  };
}

export type { Canonical, Liveness };
