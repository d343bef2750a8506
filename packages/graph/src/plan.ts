import {
  NDArray,
  allocate,
  descendMatmul,
  getBackend,
  kernelsOf,
  shapesEqual,
  type Backend,
  type DefinedPrimitive,
  type DType,
  type Kernel,
  type KernelPrim,
  type TypedArray,
} from "@chainrule/ndarray";
import { GraphError } from "./errors";
import { compileFused, isElementwise, type FusedMember } from "./fusion";
import { isBuiltin } from "./tracer";
import type { Variable } from "@chainrule/autograd";
import { Graph, typeString, type GraphNode, type Leaf, type UpdateOp } from "./graph";

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

/** Kernels that write every element of `out`; any other kernel gets a zeroed buffer, as a fresh one would be. */
// Every elementwise primitive writes each output element; so do these.
const FULL_WRITE_OTHERS = new Set([
  "copy",
  "sum",
  "prod",
  "max",
  "min",
  "argmax",
  "argmin",
  "gather",
  "concat",
]);
const writesEveryElement = (op: string) => isElementwise(op) || FULL_WRITE_OTHERS.has(op);

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1, bool: 1 };

type Step =
  | { kind: "kernel"; id: number; reads: number[] }
  | { kind: "descent"; id: number; reads: number[]; theta: Variable; learningRate: () => number }
  | { kind: "fused"; id: number; members: number[]; ext: number[]; reads: number[] }
  | { kind: "copy"; id: number; reads: number[] };

interface Slot {
  dtype: DType;
  buffer: TypedArray;
}

const REDUCTIONS = new Set(["sum", "prod", "max", "min"]);

/** Largest m·n·k for which a descent step is fused into its gradient's matmul (descendMatmul's loop). */
const DESCENT_MAX_MACS = 32 * 32 * 32;

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
  // Not a Variable: the result would then change with the update at the end of the run.
  if (x.dtype !== n.dtype || !(x.kind === "op" || x.kind === "placeholder")) return undefined;
  if (x.unsupported || !shapesEqual(x.shape, n.shape)) return undefined;
  return ins[0];
}

/** `shape` broadcasts to `to` (NumPy rules: align right, sizes equal or 1). */
function broadcastable(shape: readonly number[], to: readonly number[]): boolean {
  const lead = to.length - shape.length;
  return lead >= 0 && shape.every((d, i) => d === 1 || d === to[lead + i]);
}

/** A stride-0 view of `x` with shape `to` (not recorded: the fused loop reads operands as kernels do). */
function broadcastLayout(x: NDArray, to: readonly number[]): NDArray {
  if (shapesEqual(x.shape, to)) return x;
  const lead = to.length - x.ndim;
  const strides = new Array<number>(to.length).fill(0);
  for (let i = 0; i < x.ndim; i++) if (x.shape[i] === to[lead + i]) strides[lead + i] = x.strides[i]!;
  return new NDArray(x.buffer, to, x.dtype, strides, x.offset);
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
      if (v.size !== 1 || v.buffer.length !== 1) return undefined;
      const x = v.buffer[0]!;
      return `c|${n.dtype}|${n.shape.join(",")}|${Object.is(x, -0) ? "-0" : String(x)}`;
    }
    default:
      return undefined;
  }
}

/** Buffers reused by liveness: a buffer goes back to the pool once its last reader has run. */
class Pool {
  readonly slots: Slot[] = [];
  private free: Slot[] = [];

  take(dtype: DType, size: number): Slot {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const s = this.free[i]!;
      if (s.dtype !== dtype || s.buffer.length < size) continue;
      if (best < 0 || s.buffer.length < this.free[best]!.buffer.length) best = i;
    }
    if (best >= 0) return this.free.splice(best, 1)[0]!;
    const slot = { dtype, buffer: allocate(dtype, size) };
    this.slots.push(slot);
    return slot;
  }

  give(s: Slot): void {
    this.free.push(s);
  }
}

/**
 * An executable plan for one graph, one set of fetches and one backend: the live nodes in order,
 * elementwise chains fused, every intermediate array (and view) created once over planned buffers.
 * A run copies the feeds into the placeholders' buffers, calls the kernels, applies the updates.
 */
export class Plan {
  readonly backend: Backend;
  readonly stats: PlanStats;
  /** The arrays each run returns for the fetches (the same objects on every run). */
  readonly results: readonly (NDArray | null)[];
  private readonly inputArrays: (NDArray | undefined)[];
  private readonly steps: (() => void)[];
  private readonly updates: { op: UpdateOp; grads: (NDArray | null)[] }[];
  private readonly listing: string[];
  private readonly copyKernel: Kernel<"copy">;

  constructor(
    readonly graph: Graph,
    leaves: readonly Leaf[],
    options: PlanOptions = {},
  ) {
    const backend = getBackend();
    this.backend = backend;
    const kernels = kernelsOf(backend) as unknown as Record<string, Kernel<KernelPrim> | undefined>;
    // Built-in primitives run the backend's kernel; primitives from definePrimitive bring their own.
    const kernelOf = (n: GraphNode) =>
      isBuiltin(n.prim!)
        ? kernels[n.op]
        : ((n.prim as DefinedPrimitive<unknown>).kernelFor(backend) as Kernel<KernelPrim>);
    this.copyKernel = kernelsOf(backend).copy;
    const nodes = graph.nodes;
    const N = nodes.length;

    // 0. Common subexpressions: the same op on the same inputs with the same params is computed once
    // (gradient rules often repeat themselves, e.g. both halves of square's rule). `canon` maps every
    // node to its representative, `ins` gives canonical inputs.
    const canon = new Int32Array(N);
    const ins: number[][] = new Array(N);
    const seen = new Map<string, number>();
    for (let id = 0; id < N; id++) {
      const n = nodes[id]!;
      ins[id] = n.inputs.map((i) => canon[i]!);
      const same = identityReduce(n, ins[id]!, nodes);
      const key = same === undefined ? cseKey(n, ins[id]!, canon) : undefined;
      const prev = same ?? (key === undefined ? undefined : seen.get(key));
      if (prev !== undefined) canon[id] = prev;
      else {
        canon[id] = id;
        if (key !== undefined) seen.set(key, id);
      }
    }
    const rootOf = (i: number) => canon[nodes[i]!.root]!;

    // 1. What the fetches need.
    const updateSet = [...new Set(leaves.filter((l) => l.kind === "update").map((l) => l.id))];
    const usedOutside = new Uint8Array(N); // fetched, or read by an update
    for (const l of leaves) if (l.kind === "node") usedOutside[canon[l.id]!] = 1;
    for (const u of updateSet)
      for (const g of graph.updates[u]!.grads) if (g !== null) usedOutside[canon[g]!] = 1;
    const live = usedOutside.slice();
    for (let id = N - 1; id >= 0; id--) if (live[id]) for (const i of ins[id]!) live[i] = 1;
    const consumers: number[][] = nodes.map(() => []);
    let liveNodes = 0;
    let liveOps = 0;
    for (let id = 0; id < N; id++) {
      if (!live[id]) continue;
      liveNodes++;
      const n = nodes[id]!;
      for (const i of ins[id]!) consumers[i]!.push(id);
      if (n.unsupported) throw new GraphError(`graph: cannot run node %${id}: ${n.unsupported}`);
      if (n.kind === "op") {
        liveOps++;
        if (typeof kernelOf(n) !== "function") {
          throw new GraphError(
            `graph: the '${backend.name}' backend has no kernel for primitive '${n.op}' (node %${id})`,
          );
        }
      }
    }

    // 2. Elementwise fusion: grow groups backwards from each elementwise op whose value is needed.
    const fusion = options.fusion ?? true;
    const groupOf = new Int32Array(N).fill(-1);
    const groups = new Map<number, number[]>();
    const fusible = (id: number) =>
      live[id] === 1 &&
      nodes[id]!.kind === "op" &&
      isElementwise(nodes[id]!.op) &&
      isBuiltin(nodes[id]!.prim!);
    if (fusion) {
      for (let id = N - 1; id >= 0; id--) {
        if (!fusible(id) || groupOf[id]! >= 0) continue;
        const shape = nodes[id]!.shape;
        const members = [id];
        groupOf[id] = id;
        const stack = [id];
        while (stack.length) {
          const m = stack.pop()!;
          for (const i of ins[m]!) {
            if (groupOf[i]! >= 0 || !fusible(i) || usedOutside[i]) continue;
            if (!shapesEqual(nodes[i]!.shape, shape)) continue;
            if (!consumers[i]!.every((c) => groupOf[c] === id)) continue;
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
    }

    // 3. Steps in execution order, each with the root buffers it reads.
    const steps: Step[] = [];
    for (let id = 0; id < N; id++) {
      const n = nodes[id]!;
      if (!live[id] || n.kind !== "op") continue;
      const g = groupOf[id]!;
      if (g >= 0 && g !== id) continue; // computed inside its group's loop
      if (g === id) {
        const members = groups.get(id)!;
        const inGroup = new Set(members);
        const ext: number[] = [];
        for (const m of members)
          for (const i of ins[m]!) if (!inGroup.has(i) && !ext.includes(i)) ext.push(i);
        steps.push({ kind: "fused", id, members, ext, reads: ext.map(rootOf) });
      } else steps.push({ kind: "kernel", id, reads: ins[id]!.map(rootOf) });
    }
    // 3b. Plain descent through a small matmul (a per-sample weight gradient xᵀ·δ): θ ← θ − lr·(x @ δ)
    // in one loop, moved to the end of the run so that it follows every read of θ, instead of writing
    // the gradient and updating from it. Only for a gradient nothing else reads or fetches.
    const fusedDescent = new Set<string>(); // `${update}:${variable index}`
    const refs = new Uint8Array(N);
    for (const l of leaves) if (l.kind === "node") refs[canon[l.id]!]! += 1;
    const varUses = new Map<Variable, number>();
    // Variables some update reads as (a view of) a gradient: those must keep their value until the updates.
    const readByUpdates = new Set<unknown>();
    for (const u of updateSet)
      for (const [k, g] of graph.updates[u]!.grads.entries()) {
        if (g !== null) {
          refs[canon[g]!]! += 1;
          const r = nodes[rootOf(canon[g]!)]!;
          if (r.kind === "variable") readByUpdates.add(r.value);
        }
        const v = graph.updates[u]!.vars[k]!;
        varUses.set(v, (varUses.get(v) ?? 0) + 1);
      }
    for (const u of updateSet) {
      const op = graph.updates[u]!;
      if (!op.descent) continue;
      op.grads.forEach((g0, k) => {
        if (g0 === null) return;
        const g = canon[g0]!;
        const n = nodes[g]!;
        const theta = op.vars[k]!;
        if (n.kind !== "op" || n.op !== "matmul" || !isBuiltin(n.prim!) || n.shape.length !== 2) return;
        if (refs[g] !== 1 || consumers[g]!.length > 0 || varUses.get(theta) !== 1) return;
        if (readByUpdates.has(theta)) return;
        if (n.dtype !== theta.dtype || (n.dtype !== "float32" && n.dtype !== "float64")) return;
        const [ia, ib] = ins[g]!;
        const kDim = nodes[ia!]!.shape[1]!;
        if (nodes[ia!]!.shape.length !== 2 || n.shape[0]! * n.shape[1]! * kDim > DESCENT_MAX_MACS) return;
        if (!theta.isContiguous || theta.offset !== 0) return;
        const at = steps.findIndex((s) => s.kind === "kernel" && s.id === g);
        if (at < 0) return;
        steps.splice(at, 1);
        const learningRate = op.descent!.learningRate;
        steps.push({ kind: "descent", id: g, reads: ins[g]!.map(rootOf), theta, learningRate });
        fusedDescent.add(`${u}:${k}`);
      });
    }
    const copies = new Map<number, NDArray>(); // update gradients that need a contiguous copy

    // 4. Buffers: liveness over root buffers; fetched roots are pinned (the caller keeps them).
    const lastUse = new Int32Array(N).fill(-1);
    steps.forEach((s, k) => {
      for (const r of s.reads) lastUse[r] = k;
    });
    const pinned = new Uint8Array(N);
    for (let id = 0; id < N; id++) if (usedOutside[id]) pinned[rootOf(id)] = 1;
    const pool = new Pool();
    const slotOf = new Map<number, Slot>();
    steps.forEach((s, k) => {
      const n = nodes[s.id]!;
      if (s.kind !== "descent")
        slotOf.set(
          s.id,
          pool.take(
            n.dtype,
            n.shape.reduce((a, b) => a * b, 1),
          ),
        );
      for (const r of new Set(s.reads)) {
        if (lastUse[r] === k && !pinned[r] && slotOf.has(r)) pool.give(slotOf.get(r)!);
      }
    });
    // A root that nothing reads after it is written (e.g. only fetched) stays pinned: nothing to free.

    // 5. The arrays: one NDArray per live node, over its root's buffer.
    const arrays: (NDArray | undefined)[] = new Array(N);
    for (let id = 0; id < N; id++) {
      if (!live[id]) continue;
      const n = nodes[id]!;
      switch (n.kind) {
        case "placeholder":
          arrays[id] = NDArray.empty(n.shape, n.dtype);
          break;
        case "variable":
        case "constant":
          arrays[id] = n.value!;
          break;
        case "op": {
          const slot = slotOf.get(id);
          if (slot) {
            const size = n.shape.reduce((a, b) => a * b, 1);
            const buf = slot.buffer.length === size ? slot.buffer : slot.buffer.subarray(0, size);
            arrays[id] = new NDArray(buf, n.shape, n.dtype);
          }
          break;
        }
        case "view":
          arrays[id] = new NDArray(arrays[rootOf(id)]!.buffer, n.shape, n.dtype, n.strides, n.offset);
          break;
      }
    }

    // 6. Step closures.
    const codegen = options.codegen ?? true;
    let generatedCode = codegen;
    let fusedOps = 0;
    const listing: string[] = [];
    const ref = (i: number) => `%${i}`;
    this.steps = steps.map((s, k) => {
      const n = nodes[s.id]!;
      if (s.kind === "descent") {
        const [a, b] = ins[s.id]!.map((i) => arrays[i]!);
        const { theta, learningRate } = s;
        if (a!.buffer === theta.buffer || b!.buffer === theta.buffer)
          throw new GraphError(`graph: node %${s.id} reads the variable its descent step writes`);
        listing.push(
          `  [${k}] ${theta.name} -= lr·matmul(${ins[s.id]!.map(ref).join(", ")}) (descent fused into %${s.id})`,
        );
        return () => descendMatmul(theta, a!, b!, learningRate());
      }
      const out = arrays[s.id]!;
      const slot = `buf${pool.slots.indexOf(slotOf.get(s.id)!)}`;
      if (s.kind === "fused") {
        fusedOps += s.members.length;
        const index = new Map(s.members.map((m, i) => [m, i] as const));
        const members: FusedMember[] = s.members.map((m) => {
          const mn = nodes[m]!;
          return {
            op: mn.op as FusedMember["op"],
            dtype: mn.dtype,
            castTo: mn.op === "cast" ? (mn.params as { dtype: DType }).dtype : undefined,
            operands: ins[m]!.map((i) => (index.has(i) ? index.get(i)! : -(s.ext.indexOf(i) + 1))),
          };
        });
        const ext = s.ext.map((i) => broadcastLayout(arrays[i]!, n.shape));
        const extLiteral = s.ext.map((i, j) => {
          const a = ext[j]!;
          const uniform = a.size === 1 || a.strides.every((st, d) => st === 0 || a.shape[d] === 1);
          return nodes[rootOf(i)]!.kind === "constant" && uniform && a.size > 0
            ? a.buffer[a.offset]
            : undefined;
        });
        const f = compileFused({ members, ext, extLiteral, out }, codegen, backend);
        if (f.by === "interpreted") generatedCode = false;
        const by = f.by === "backend" ? ` (${backend.name})` : "";
        listing.push(
          `  [${k}] ${ref(s.id)}:${typeString(n)} = fused[${s.members.map((m) => nodes[m]!.op).join(" → ")}]${by}(${s.ext.map(ref).join(", ")}) → ${slot}`,
        );
        return f.run;
      }
      const kernel = kernelOf(n)!;
      const inArrays = ins[s.id]!.map((i) => arrays[i]!);
      const params = n.params as never;
      listing.push(
        `  [${k}] ${ref(s.id)}:${typeString(n)} = ${n.op}(${ins[s.id]!.map(ref).join(", ")}) → ${slot}`,
      );
      if (writesEveryElement(n.op) && isBuiltin(n.prim!)) return () => kernel(inArrays, params, out);
      const buf = out.buffer;
      return () => {
        buf.fill(0);
        kernel(inArrays, params, out);
      };
    });

    // 7. Updates read contiguous gradients that own their buffer (copied when they are views).
    this.updates = updateSet.map((u) => {
      const op = graph.updates[u]!;
      const grads = op.grads.map((g0, k) => {
        if (g0 === null || fusedDescent.has(`${u}:${k}`)) return null;
        const g = canon[g0]!;
        const a = arrays[g]!;
        if (a.isContiguous && a.offset === 0 && a.buffer.length === a.size) return a;
        let c = copies.get(g);
        if (!c) {
          c = NDArray.empty(a.shape, a.dtype);
          copies.set(g, c);
          const dst = c;
          const copy = this.copyKernel;
          this.steps.push(() => copy([a], {}, dst));
          listing.push(`  [${this.steps.length - 1}] copy(${ref(g)}) for update #${u}`);
        }
        return c;
      });
      listing.push(`  update #${u} ${op.name}`);
      return { op, grads };
    });

    this.inputArrays = graph.placeholders.map((id) => arrays[id]);
    this.results = leaves.map((l) => (l.kind === "node" ? arrays[canon[l.id]!]! : null));
    const bytes = pool.slots.reduce((a, s) => a + s.buffer.length * BYTES[s.dtype], 0);
    this.stats = {
      nodes: N,
      liveNodes,
      liveOps,
      kernelLaunches: this.steps.length,
      fusedGroups: groups.size,
      fusedOps,
      buffers: pool.slots.length,
      bufferBytes: bytes,
      generatedCode: groups.size > 0 && generatedCode,
    };
    this.listing = listing;
  }

  /** Runs the plan on the feeds (one per placeholder, already checked) and returns `results`. */
  execute(inputs: readonly NDArray[]): readonly (NDArray | null)[] {
    const ph = this.inputArrays;
    for (let i = 0; i < ph.length; i++) {
      const dst = ph[i];
      if (dst === undefined) continue;
      const x = inputs[i]!;
      if (x.isContiguous) {
        const b = x.buffer;
        dst.buffer.set(x.offset === 0 && b.length === x.size ? b : b.subarray(x.offset, x.offset + x.size));
      } else this.copyKernel([x], {}, dst);
    }
    const steps = this.steps;
    for (let i = 0; i < steps.length; i++) steps[i]!();
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
