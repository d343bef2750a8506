import type { Variable } from "@chainrule/autograd";
import type { DType, NDArray, Primitive } from "@chainrule/ndarray";
import { GraphError, fmtShape } from "./errors";

/**
 * - `placeholder`: an input, fed on every run.
 * - `variable`: a Variable, read from its own buffer when the graph runs (live state).
 * - `constant`: a value captured at trace time (arrays the traced function closed over, and ops whose
 *   inputs were all constants, folded).
 * - `op`: a computing primitive, run by the backend's kernel.
 * - `view`: a view primitive (reshape, permute, expand, slice) or an `alias` (an array sharing another
 *   node's buffer, e.g. `detach`): no kernel, a new layout over its root's buffer.
 */
export type NodeKind = "placeholder" | "variable" | "constant" | "op" | "view";

/** One node of a graph. Ids are positions in `graph.nodes`, which is in execution (topological) order. */
export interface GraphNode {
  readonly id: number;
  readonly kind: NodeKind;
  /** The primitive's name for ops and views (`alias` for untracked views), `const` for folded constants, else the kind. */
  readonly op: string;
  /** The primitive object (ops, views and folded constants). */
  readonly prim: Primitive | undefined;
  readonly params: unknown;
  readonly inputs: readonly number[];
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Placeholders and variables. */
  readonly name: string | undefined;
  /** The node whose buffer this node's elements live in (itself unless it is a view). */
  readonly root: number;
  /** Layout over the root's buffer. */
  readonly strides: readonly number[];
  readonly offset: number;
  /** Constants: the captured value. Variables: the Variable. */
  readonly value: NDArray | undefined;
  /** Set when the node cannot be executed (a primitive without a kernel): the reason. */
  readonly unsupported: string | undefined;
}

/** A side effect that runs at the end of a run, after every node: an optimizer update. */
export interface UpdateOp {
  readonly index: number;
  /** E.g. `GradientDescent(lr=0.5)` or `Adam.step`. */
  readonly name: string;
  readonly vars: readonly Variable[];
  /** Gradient node for each variable (null: no gradient, the variable is skipped). */
  readonly grads: readonly (number | null)[];
  /** Applies the update from the gradients' values (aligned with `vars`). */
  apply(grads: readonly (NDArray | null)[]): void;
  /**
   * Set when the update is plain descent, θ ← θ − lr·g for each variable: the executor may then fuse a
   * variable's step into the small matmul that computes its gradient (and pass null for it to `apply`).
   */
  readonly descent?: { learningRate(): number };
}

/**
 * What a traced function returned that can be fetched: a node (`id` is its node id), an update (a train
 * op; `id` is its index in `graph.updates`), or nothing (`none`).
 */
export class Leaf {
  constructor(
    readonly kind: "node" | "update" | "none",
    readonly id: number,
  ) {}
}

/** The traced function's return value with every array replaced by its leaf. */
export type OutputTree = Leaf | readonly OutputTree[] | { readonly [key: string]: OutputTree };

export function isLeaf(t: OutputTree): t is Leaf {
  return t instanceof Leaf;
}

const SHORT: Record<DType, string> = {
  float32: "f32",
  float64: "f64",
  int32: "i32",
  uint8: "u8",
  bool: "bool",
};

export function typeString(n: { dtype: DType; shape: readonly number[] }): string {
  return `${SHORT[n.dtype]}[${n.shape.join(",")}]`;
}

function fmtValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(fmtValue).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}=${fmtValue(x)}`)
      .join(", ")}}`;
  }
  return String(v);
}

function fmtParams(p: unknown): string {
  if (p === null || p === undefined || typeof p !== "object") return "";
  const entries = Object.entries(p);
  if (entries.length === 0) return "";
  return ` {${entries.map(([k, v]) => `${k}=${fmtValue(v)}`).join(", ")}}`;
}

function fmtConstant(x: NDArray): string {
  if (x.size > 4) return "";
  const vals = Array.from(x.dataSync(), (v) => (x.dtype === "bool" ? String(v !== 0) : String(v)));
  return " " + (x.ndim === 0 ? vals[0]! : `[${vals.join(", ")}]`);
}

/**
 * A traced computation as plain data: nodes in execution order, the placeholders (inputs), the updates
 * (train ops), and the outputs. `toString()` prints it like a jaxpr.
 */
export class Graph {
  // The bundler names a class that refers to itself `_Graph`; keep the public name (logs, inspect).
  static {
    Object.defineProperty(this, "name", { value: "Graph" });
  }

  constructor(
    readonly nodes: readonly GraphNode[],
    /** Node ids of the placeholders, in input order. */
    readonly placeholders: readonly number[],
    /** Declared shapes of the placeholders (`null` for dimensions that vary between runs). */
    readonly declaredShapes: readonly (readonly (number | null)[])[],
    readonly updates: readonly UpdateOp[],
    readonly outputs: OutputTree,
    /** Trace-time arrays and train ops → what to fetch for them. */
    private readonly handles: WeakMap<object, Leaf>,
  ) {}

  /** Every output of the traced function with its path (`loss`, `grads.0`, …), in order. */
  outputLeaves(): [string, Leaf][] {
    const out: [string, Leaf][] = [];
    const walk = (t: OutputTree, path: string) => {
      if (isLeaf(t)) out.push([path, t]);
      else if (Array.isArray(t)) t.forEach((c, i) => walk(c, path ? `${path}.${i}` : String(i)));
      else
        for (const [k, c] of Object.entries(t as Record<string, OutputTree>))
          walk(c, path ? `${path}.${k}` : k);
    };
    walk(this.outputs, "");
    return out;
  }

  /** The output at `path` (`"loss"`, `"grads.0"`, or `""` for a single returned array). */
  output(path: string): Leaf | undefined {
    for (const [p, l] of this.outputLeaves()) if (p === path) return l;
    return undefined;
  }

  /** The leaf for a trace-time array or train op of this graph, if it is one. */
  handle(x: object): Leaf | undefined {
    return this.handles.get(x);
  }

  /** Statistics: node counts by kind. */
  counts(): Record<NodeKind, number> {
    const c: Record<NodeKind, number> = { placeholder: 0, variable: 0, constant: 0, op: 0, view: 0 };
    for (const n of this.nodes) c[n.kind]++;
    return c;
  }

  /** The name of node `id` as printed: `%id`. */
  static ref(id: number): string {
    return `%${id}`;
  }

  toString(): string {
    const ref = Graph.ref;
    const lines: string[] = [];
    const args = this.placeholders.map((id, i) => {
      const n = this.nodes[id]!;
      const declared = this.declaredShapes[i]!;
      const varying = declared.some((d) => d === null) ? ` (declared ${fmtShape(declared)})` : "";
      return `${ref(id)}:${typeString(n)} ${n.name}${varying}`;
    });
    lines.push(`graph(${args.join(", ")}) {`);
    const vars = this.nodes.filter((n) => n.kind === "variable");
    if (vars.length) {
      lines.push("  variables:");
      for (const n of vars) lines.push(`    ${ref(n.id)}:${typeString(n)} ${n.name}`);
    }
    const consts = this.nodes.filter((n) => n.kind === "constant" && n.op !== "const");
    if (consts.length) {
      lines.push("  constants:");
      for (const n of consts)
        lines.push(`    ${ref(n.id)}:${typeString(n)} =${fmtConstant(n.value!) || " …"}`);
    }
    lines.push("  let");
    for (const n of this.nodes) {
      if (n.kind === "placeholder" || n.kind === "variable" || (n.kind === "constant" && n.op !== "const"))
        continue;
      const ins = n.inputs.map(ref).join(", ");
      let rhs: string;
      if (n.kind === "constant") {
        const p = n.prim ? `${n.prim.name}(${ins})` : "";
        rhs = `const${fmtConstant(n.value!)}  # folded ${p}`;
      } else rhs = `${n.op}(${ins})${fmtParams(n.params)}`;
      if (n.unsupported) rhs += "  # no kernel";
      lines.push(`    ${ref(n.id)}:${typeString(n)} = ${rhs}`);
    }
    if (this.updates.length) {
      lines.push("  updates:");
      for (const u of this.updates) {
        const pairs = u.vars.map((v, i) => `${v.name} ← ${u.grads[i] === null ? "∅" : ref(u.grads[i]!)}`);
        lines.push(`    #${u.index} ${u.name}: ${pairs.join(", ")}`);
      }
    }
    const outs = this.outputLeaves().map(([p, l]) => {
      const v = l.kind === "node" ? ref(l.id) : l.kind === "update" ? `update #${l.id}` : "none";
      return p ? `${p}: ${v}` : v;
    });
    lines.push(`  in { ${outs.join(", ")} }`);
    lines.push("}");
    return lines.join("\n");
  }
}

export function checkNodeId(graph: Graph, id: number, what: string): GraphNode {
  const n = graph.nodes[id];
  if (!n) throw new GraphError(`${what}: the graph has no node %${id} (it has ${graph.nodes.length})`);
  return n;
}
