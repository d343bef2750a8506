import { NDArray, type Backend, type DType, type Kernel, type KernelPrim } from "@chainrule/ndarray";
import { descendMatmul } from "../descend";
import { GraphError } from "../errors";
import { compileFused, isElementwise, type FusedMember, type FusedSpec } from "../fusion";
import { typeString, type GraphNode } from "../graph";
import { isBuiltin } from "../tracer";
import type { Buffers } from "./buffers";
import type { PlanMemory } from "./memory";
import type { Canonical, Step } from "./types";

/** Every elementwise primitive writes each output element; so do these (others get a zeroed buffer). */
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

export type KernelOf = (n: GraphNode) => Kernel<KernelPrim> | undefined;

/** What the steps are emitted from. */
export interface EmitContext {
  readonly nodes: readonly GraphNode[];
  readonly c: Canonical;
  readonly arrays: readonly (NDArray | undefined)[];
  readonly buffers: Buffers;
  readonly backend: Backend;
  readonly memory: PlanMemory;
  readonly kernelOf: KernelOf;
  readonly codegen: boolean;
}

/** The closures a run calls in order, and one listing line per closure. */
export interface Emitted {
  readonly runs: (() => void)[];
  readonly listing: string[];
  fusedOps: number;
  generatedCode: boolean;
}

const ref = (i: number) => `%${i}`;

/** A stride-0 view of `x` with shape `to` (not recorded: the fused loop reads operands as kernels do). */
function broadcastLayout(x: NDArray, to: readonly number[]): NDArray {
  if (x.shape.length === to.length && x.shape.every((d, i) => d === to[i])) return x;
  const lead = to.length - x.ndim;
  const strides = new Array<number>(to.length).fill(0);
  for (let i = 0; i < x.ndim; i++) if (x.shape[i] === to[lead + i]) strides[lead + i] = x.strides[i]!;
  return new NDArray(x.storage, to, x.dtype, strides, x.offset);
}

function emitDescent(ctx: EmitContext, s: Extract<Step, { kind: "descent" }>, k: number, e: Emitted): void {
  const [a, b] = ctx.c.ins[s.id]!.map((i) => ctx.arrays[i]!);
  const { theta, learningRate } = s;
  if (a!.buffer === theta.buffer || b!.buffer === theta.buffer)
    throw new GraphError(`graph: node %${s.id} reads the variable its descent step writes`);
  e.listing.push(
    `  [${k}] ${theta.name} -= lr·matmul(${ctx.c.ins[s.id]!.map(ref).join(", ")}) (descent fused into %${s.id})`,
  );
  e.runs.push(() => descendMatmul(theta, a!, b!, learningRate()));
}

/** The fused group as data (members in order, external inputs broadcast to the output's shape). */
function fusedSpec(ctx: EmitContext, s: Extract<Step, { kind: "fused" }>): FusedSpec {
  const { nodes, c, arrays } = ctx;
  const n = nodes[s.id]!;
  const index = new Map(s.members.map((m, i) => [m, i] as const));
  const members: FusedMember[] = s.members.map((m) => {
    const mn = nodes[m]!;
    return {
      op: mn.op as FusedMember["op"],
      dtype: mn.dtype,
      castTo: mn.op === "cast" ? (mn.params as { dtype: DType }).dtype : undefined,
      operands: c.ins[m]!.map((i) => (index.has(i) ? index.get(i)! : -(s.ext.indexOf(i) + 1))),
    };
  });
  const ext = s.ext.map((i) => broadcastLayout(arrays[i]!, n.shape));
  const extLiteral = s.ext.map((i, j) => {
    const a = ext[j]!;
    const uniform = a.size === 1 || a.strides.every((st, d) => st === 0 || a.shape[d] === 1);
    const constant = nodes[c.rootOf(i)]!.kind === "constant" && !a.onDevice;
    return constant && uniform && a.size > 0 ? a.buffer[a.offset] : undefined;
  });
  return { members, ext, extLiteral, out: arrays[s.id]! };
}

/**
 * A group a device backend declined to compile: its members' kernels one after another, each
 * intermediate in its own scratch array (the group's members have no planned buffers).
 */
function memberByMember(ctx: EmitContext, s: Extract<Step, { kind: "fused" }>): () => void {
  const { nodes, c, arrays, memory } = ctx;
  const own = new Map<number, NDArray>();
  const calls = s.members.map((m) => {
    const mn = nodes[m]!;
    const out = m === s.id ? arrays[s.id]! : memory.empty(mn.shape, mn.dtype);
    own.set(m, out);
    const ins = c.ins[m]!.map((i) => own.get(i) ?? arrays[i]!);
    const kernel = ctx.kernelOf(mn)!;
    const params = mn.params as never;
    return () => kernel(ins, params, out);
  });
  return () => {
    for (const call of calls) call();
  };
}

function emitFused(ctx: EmitContext, s: Extract<Step, { kind: "fused" }>, k: number, e: Emitted): void {
  const { nodes, backend } = ctx;
  const n = nodes[s.id]!;
  e.fusedOps += s.members.length;
  const spec = fusedSpec(ctx, s);
  let run: () => void;
  let by: string;
  if (ctx.memory.device) {
    const own = backend.compileElementwise?.(spec);
    run = own ?? memberByMember(ctx, s);
    by = own ? ` (${backend.name})` : ` (${backend.name}, op by op)`;
  } else {
    const f = compileFused(spec, ctx.codegen, backend);
    if (f.by === "interpreted") e.generatedCode = false;
    run = f.run;
    by = f.by === "backend" ? ` (${backend.name})` : "";
  }
  const ops = s.members.map((m) => nodes[m]!.op).join(" → ");
  e.listing.push(
    `  [${k}] ${ref(s.id)}:${typeString(n)} = fused[${ops}]${by}(${s.ext.map(ref).join(", ")}) → ${slotName(ctx, s.id)}`,
  );
  e.runs.push(run);
}

function emitKernel(ctx: EmitContext, s: Step, k: number, e: Emitted): void {
  const n = ctx.nodes[s.id]!;
  const kernel = ctx.kernelOf(n)!;
  const inArrays = ctx.c.ins[s.id]!.map((i) => ctx.arrays[i]!);
  const out = ctx.arrays[s.id]!;
  const params = n.params as never;
  e.listing.push(
    `  [${k}] ${ref(s.id)}:${typeString(n)} = ${n.op}(${ctx.c.ins[s.id]!.map(ref).join(", ")}) → ${slotName(ctx, s.id)}`,
  );
  if (writesEveryElement(n.op) && isBuiltin(n.prim!)) {
    e.runs.push(() => kernel(inArrays, params, out));
    return;
  }
  const zero = ctx.memory.zeroer(out);
  e.runs.push(() => {
    zero();
    kernel(inArrays, params, out);
  });
}

function slotName(ctx: EmitContext, id: number): string {
  return `buf${ctx.buffers.slots.indexOf(ctx.buffers.slotOf.get(id)!)}`;
}

/** One closure per step: kernel calls, fused loops (the backend's own where it offers one), descents. */
export function emitSteps(ctx: EmitContext, steps: readonly Step[]): Emitted {
  const e: Emitted = { runs: [], listing: [], fusedOps: 0, generatedCode: ctx.codegen };
  steps.forEach((s, k) => {
    if (s.kind === "descent") emitDescent(ctx, s, k, e);
    else if (s.kind === "fused") emitFused(ctx, s, k, e);
    else emitKernel(ctx, s, k, e);
  });
  return e;
}
