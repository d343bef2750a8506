import { Variable, backward, UNTRACKED, type TapeNode, type TrackId } from "@chainrule/autograd";
import {
  NDArray,
  brandClass,
  getBackend,
  isFloat,
  kernelsOf,
  popRecorder,
  primitives,
  pushRecorder,
  shapesEqual,
  ShapeError,
  type DeviceStorage,
  type DType,
  type Primitive,
  type Recorder,
  type TypedArray,
} from "@chainrule/ndarray";
import { GRAPH_COPY, GRAPH_SHARES } from "./copy";
import { GraphError, fmtShape } from "./errors";
import { Graph, Leaf, type GraphNode, type NodeKind, type OutputTree, type UpdateOp } from "./graph";

const VIEW_NAMES = new Set(["reshape", "permute", "expand", "slice"]);
const BUILTIN = primitives as unknown as Record<string, Primitive>;

/** A primitive of this copy of @chainrule/ndarray (compared by identity: a same-named outside one is not). */
export function isBuiltin(p: Primitive): boolean {
  return Object.prototype.hasOwnProperty.call(BUILTIN, p.name) && BUILTIN[p.name] === p;
}

type MNode = { -readonly [K in keyof GraphNode]: GraphNode[K] };

/** A handle to an optimizer update recorded in a graph: fetch it to run the update. */
export class TrainOp {
  /** @internal */
  constructor(
    readonly name: string,
    /** @internal */ readonly owner: object,
    /** @internal */ readonly index: number,
  ) {}

  toString(): string {
    return `TrainOp(${this.name})`;
  }
}

/** Tells a TrainOp of another copy of @chainrule/graph. */
export const trainOpBrand = brandClass(TrainOp, "TrainOp", GRAPH_COPY, GRAPH_SHARES);

const active: Tracer[] = [];
let inlined = 0;

/** Runs a traced function's original code (called while a GradientTape records, outside any trace). */
export function runInlined<T>(fn: () => T): T {
  inlined++;
  try {
    return fn();
  } finally {
    inlined--;
  }
}

/** The innermost active tracer, or an error naming `op` when nothing is being traced. */
export function currentTracer(op: string): Tracer {
  const t = active[active.length - 1];
  if (!t) {
    const hint =
      inlined > 0
        ? " (a traced function called while a GradientTape records runs its original code, eagerly: " +
          "call traced training steps outside tapes)"
        : "";
    throw new GraphError(
      `${op}: only works while a function is being traced (inside the function given to trace() or compileTrainStep())${hint}`,
    );
  }
  return t;
}

export function isTracing(): boolean {
  return active.length > 0;
}

function sameValues(a: TypedArray, b: TypedArray): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && !(x !== x && y !== y)) return false;
  }
  return true;
}

/** Nodes whose gradient rule runs: float ops and views (and constants folded from them). */
function differentiable(node: MNode): boolean {
  return (
    (node.kind === "op" || node.kind === "view" || (node.kind === "constant" && node.prim !== undefined)) &&
    node.prim !== undefined &&
    isFloat(node.dtype)
  );
}

/** A copy of all of `x`'s storage, where it lives (host memory, or the device of the current backend). */
function copyStorage(x: NDArray): TypedArray | DeviceStorage {
  if (!x.onDevice) return x.buffer.slice();
  const backend = getBackend();
  const whole = new NDArray(x.storage, [x.storage.length], x.dtype);
  const out = new NDArray(backend.device!.allocate(x.dtype, x.storage.length), whole.shape, x.dtype);
  kernelsOf(backend).copy([whole], {}, out);
  return out.storage;
}

/** A contiguous copy of `x` where it lives: a placeholder's trace-time value. */
export function contiguousCopy(x: NDArray): NDArray {
  if (!x.onDevice) return new NDArray(x.toTypedArray(), [...x.shape], x.dtype);
  const backend = getBackend();
  const out = new NDArray(backend.device!.allocate(x.dtype, x.size), [...x.shape], x.dtype);
  kernelsOf(backend).copy([x], {}, out);
  return out;
}

/**
 * Records every primitive application while a traced function runs on example inputs, and turns
 * the recording into a Graph. Arrays are identified by object identity; an array the recording has
 * not produced is a Variable (live state), a new view of a recorded buffer (`detach`), or a constant.
 */
export class Tracer implements Recorder {
  private readonly nodes: MNode[] = [];
  /** The trace-time array of each node. */
  private readonly arrays: NDArray[] = [];
  /** The exact input arrays each op/view was applied to (what its gradient rule needs). */
  private readonly recordedInputs: (readonly NDArray[] | undefined)[] = [];
  private readonly ids = new Map<NDArray, number>();
  /** Storage (a typed array or a device buffer) → the node owning it (roots only). */
  private readonly owners = new Map<TypedArray | DeviceStorage, number>();
  private readonly isConst: boolean[] = [];
  private readonly snapshots = new Map<Variable, TypedArray>();
  private readonly updates: UpdateOp[] = [];
  private readonly trainOps: TrainOp[] = [];
  private readonly placeholderIds: number[] = [];

  /** Runs `fn` with this tracer recording. */
  trace<T>(fn: () => T): T {
    pushRecorder(this);
    active.push(this);
    try {
      return fn();
    } finally {
      active.splice(active.lastIndexOf(this), 1);
      popRecorder(this);
    }
  }

  private push(n: Omit<MNode, "id">, array: NDArray, isConst: boolean): number {
    const id = this.nodes.length;
    this.nodes.push({ id, ...n });
    this.arrays.push(array);
    this.recordedInputs.push(undefined);
    this.isConst.push(isConst);
    this.ids.set(array, id);
    return id;
  }

  private base(kind: NodeKind, op: string, x: NDArray): Omit<MNode, "id"> {
    return {
      kind,
      op,
      prim: undefined,
      params: undefined,
      inputs: [],
      shape: [...x.shape],
      dtype: x.dtype,
      name: undefined,
      root: this.nodes.length,
      strides: [...x.strides],
      offset: x.offset,
      value: undefined,
      unsupported: undefined,
    };
  }

  /** Adds a placeholder whose trace-time value is `x` (a contiguous array the tracer owns). */
  addPlaceholder(x: NDArray, name: string): number {
    const id = this.push({ ...this.base("placeholder", "placeholder", x), name }, x, false);
    this.owners.set(x.storage, id);
    this.placeholderIds.push(id);
    return id;
  }

  /** The node of a trace-time array, creating a variable, alias or constant node for arrays not seen yet. */
  resolve(x: NDArray): number {
    const known = this.ids.get(x);
    if (known !== undefined) return known;
    if (!(x instanceof NDArray)) throw new TypeError(`trace: expected an NDArray, got ${typeof x}`);
    const owner = this.owners.get(x.storage);
    if (owner !== undefined) {
      // A new array over a recorded buffer that no recorded op made (detach, a hand-made view): it
      // reads that buffer when the graph runs, and gradients stop there, as they do for detach.
      const root = this.nodes[owner]!.root;
      return this.push({ ...this.base("view", "alias", x), inputs: [owner], root }, x, this.isConst[owner]!);
    }
    if (x instanceof Variable) {
      const id = this.push({ ...this.base("variable", "variable", x), name: x.name, value: x }, x, false);
      this.owners.set(x.storage, id);
      // Device memory cannot be read synchronously: assignments to device Variables go unchecked.
      if (!x.onDevice) this.snapshots.set(x, x.buffer.slice());
      return id;
    }
    // Captured by value, keeping the layout, so recorded views of it stay valid.
    const value = new NDArray(copyStorage(x), x.shape, x.dtype, x.strides, x.offset);
    const id = this.push({ ...this.base("constant", "constant", x), value }, x, true);
    this.owners.set(x.storage, id);
    return id;
  }

  record(prim: Primitive, inputs: readonly NDArray[], output: NDArray, params: unknown): void {
    const ins = inputs.map((x) => this.resolve(x));
    const b = this.base("op", prim.name, output);
    let id: number;
    if (VIEW_NAMES.has(prim.name) && isBuiltin(prim)) {
      const root = this.nodes[ins[0]!]!.root;
      if (this.arrays[root]!.storage !== output.storage) {
        throw new GraphError(`trace: the ${prim.name} view does not share its input's buffer`);
      }
      id = this.push({ ...b, kind: "view", prim, params, inputs: ins, root }, output, this.isConst[root]!);
    } else if (!isBuiltin(prim) && typeof (prim as { kernelFor?: unknown }).kernelFor !== "function") {
      const why =
        prim.name === "customGrad"
          ? "customGrad computes its forward pass outside any recording, so a graph cannot repeat it; " +
            "write the function with array ops (a graph needs no custom gradient: gradients() differentiates the recorded ops)"
          : "it was emitted without a kernel (define outside primitives with definePrimitive, which gives them one)";
      id = this.push(
        { ...b, prim, params, inputs: ins, unsupported: `primitive '${prim.name}': ${why}` },
        output,
        false,
      );
    } else if (ins.length > 0 && ins.every((i) => this.isConst[i])) {
      // Every input is a constant: the value computed now is the value forever.
      id = this.push(
        { ...b, kind: "constant", op: "const", prim, params, inputs: ins, value: output },
        output,
        true,
      );
    } else {
      id = this.push({ ...b, prim, params, inputs: ins }, output, false);
    }
    this.recordedInputs[id] = inputs;
    if (this.nodes[id]!.kind !== "view" && !this.owners.has(output.storage))
      this.owners.set(output.storage, id);
  }

  /**
   * d(target)/d(sources) over everything recorded so far, recorded in turn (so the backward pass
   * becomes part of the graph): @chainrule/autograd's own reverse accumulation over the recorded nodes,
   * so eager and traced gradients agree bit for bit. Unconnected sources get null.
   */
  gradients(target: NDArray, sources: readonly NDArray[], seed?: NDArray): (NDArray | null)[] {
    const t = this.ids.get(target);
    if (t === undefined) {
      throw new GraphError("gradients: the target was not computed inside the traced function");
    }
    const srcIds = sources.map((s, i) => {
      const id = this.ids.get(s);
      if (id === undefined && !(s instanceof Variable))
        throw new GraphError(
          `gradients: source #${i} is neither a Variable nor an array computed inside the traced function`,
        );
      return id;
    });
    if (seed && !shapesEqual(seed.shape, target.shape)) {
      throw new ShapeError(
        `gradients: output gradient of shape ${fmtShape(seed.shape)} does not match target shape ${fmtShape(target.shape)}`,
      );
    }
    const { tape, track, leafCount } = this.asTape(srcIds);
    const grads = backward(tape, leafCount, [{ id: track(t), array: target, seed }], srcIds.map(track));
    return grads.map((g) => g ?? null);
  }

  /**
   * The recording as a tape for autograd's `backward`: differentiable nodes (float ops and views) are
   * tape nodes; sources that are not (placeholders, Variables, constants) are leaves; the rest untracked.
   */
  private asTape(srcIds: readonly (number | undefined)[]): {
    tape: TapeNode[];
    track: (id: number | undefined) => TrackId;
    leafCount: number;
  } {
    const tapeIndex = new Int32Array(this.nodes.length).fill(-1);
    const leafOf = new Map<number, number>();
    const tape: TapeNode[] = [];
    const track = (id: number | undefined): TrackId => {
      if (id === undefined) return UNTRACKED;
      if (tapeIndex[id]! >= 0) return tapeIndex[id]!;
      const leaf = leafOf.get(id);
      return leaf === undefined ? UNTRACKED : -(leaf + 1);
    };
    for (const s of srcIds) {
      if (s !== undefined && !differentiable(this.nodes[s]!) && !leafOf.has(s)) leafOf.set(s, leafOf.size);
    }
    this.nodes.forEach((node, i) => {
      if (!differentiable(node)) return;
      tapeIndex[i] = tape.length;
      tape.push({
        prim: node.prim!,
        inputs: this.recordedInputs[i]!,
        parents: node.inputs.map(track),
        output: this.arrays[i]!,
        params: node.params,
      });
    });
    return { tape, track, leafCount: leafOf.size };
  }

  /** The trainable Variables read so far, in the order they were first used. */
  trainableVariables(): Variable[] {
    return this.nodes
      .filter((n) => n.kind === "variable" && (n.value as Variable).trainable)
      .map((n) => n.value as Variable);
  }

  /** Records an update that runs at the end of every run that fetches the returned train op. */
  addUpdate(
    name: string,
    vars: readonly Variable[],
    grads: readonly (NDArray | null)[],
    apply: (grads: readonly (NDArray | null)[]) => void,
    descent?: UpdateOp["descent"],
  ): TrainOp {
    const index = this.updates.length;
    const gradIds = grads.map((g) => (g === null ? null : this.resolve(g)));
    this.updates.push({ index, name, vars: [...vars], grads: gradIds, apply, descent });
    const op = new TrainOp(name, this, index);
    this.trainOps.push(op);
    return op;
  }

  private outputTree(x: unknown, path: string): OutputTree {
    if (x === null || x === undefined) return new Leaf("none", -1);
    if (x instanceof NDArray) return new Leaf("node", this.resolve(x));
    trainOpBrand.reject(x, `trace: output '${path}'`);
    if (x instanceof TrainOp) {
      if (x.owner !== this) throw new GraphError(`trace: output '${path}' is a train op of another graph`);
      return new Leaf("update", x.index);
    }
    if (Array.isArray(x)) return x.map((c, i) => this.outputTree(c, path ? `${path}.${i}` : String(i)));
    if (typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
      const out: Record<string, OutputTree> = {};
      for (const [k, c] of Object.entries(x)) out[k] = this.outputTree(c, path ? `${path}.${k}` : k);
      return out;
    }
    throw new TypeError(
      `trace: the traced function returned ${typeof x} at '${path || "(root)"}'; return NDArrays, train ops, ` +
        "or arrays/plain objects of them",
    );
  }

  /** Throws (after restoring the values) if the traced function assigned to a Variable. */
  private checkVariables(): void {
    for (const [v, snap] of this.snapshots) {
      if (sameValues(v.buffer, snap)) continue;
      v.buffer.set(snap);
      throw new GraphError(
        `trace: Variable '${v.name}' was assigned while tracing (assign, optimizer.step, optimizer.minimize…). ` +
          "Assignments are not recorded, so they would not happen on later runs; its value has been restored. " +
          "Inside a traced function, update weights with minimize(loss, optimizer) or " +
          "new GradientDescentOptimizer(lr).minimize(loss), or return the gradients and update outside.",
      );
    }
  }

  /** Ends the trace: the graph of everything recorded, with `result` as its outputs. */
  finish(result: unknown, declaredShapes: readonly (readonly (number | null)[])[]): Graph {
    const outputs = this.outputTree(result, "");
    this.checkVariables();
    const handles = new WeakMap<object, Leaf>();
    this.arrays.forEach((a, id) => {
      if (!handles.has(a)) handles.set(a, new Leaf("node", id));
    });
    this.trainOps.forEach((op) => handles.set(op, new Leaf("update", op.index)));
    const nodes: GraphNode[] = this.nodes.map((n) => Object.freeze({ ...n }));
    const graph = new Graph(nodes, this.placeholderIds, declaredShapes, this.updates, outputs, handles);
    // Let the trace-time arrays go (a TrainOp the caller keeps still points at this tracer).
    this.arrays.length = 0;
    this.recordedInputs.length = 0;
    this.ids.clear();
    this.owners.clear();
    this.snapshots.clear();
    return graph;
  }
}

export type { DType };
