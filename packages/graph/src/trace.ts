import { NDArray, DTYPES, brandClass, getBackend, isRecording, type DType } from "@chainrule/ndarray";
import { GRAPH_COPY, GRAPH_SHARES } from "./copy";
import { FeedError, GraphError, fmtShape } from "./errors";
import { Graph, Leaf, isLeaf, type OutputTree } from "./graph";
import { Plan, type PlanOptions } from "./plan";
import { TrainOp, Tracer, contiguousCopy, isTracing, runInlined, trainOpBrand } from "./tracer";

/**
 * A graph input: a shape (with `null` for a dimension that may differ between runs, e.g. the batch),
 * a dtype and a name. Declared with `placeholder(shape, dtype, name)` and given to `trace`.
 */
export class Placeholder {
  constructor(
    readonly shape: readonly (number | null)[],
    readonly dtype: DType,
    readonly name: string | undefined,
  ) {}

  toString(): string {
    return `Placeholder(${this.name ?? "unnamed"}: ${this.dtype}${fmtShape(this.shape)})`;
  }
}

/** Tells a Placeholder of another copy of @chainrule/graph. */
export const placeholderBrand = brandClass(Placeholder, "Placeholder", GRAPH_COPY, GRAPH_SHARES);

/**
 * Declares an input of a traced function, as TF1's `tf.placeholder(dtype, shape, name)`. `null` marks a
 * dimension that can change between runs: the function is then traced once per distinct shape fed.
 */
export function placeholder(
  shape: readonly (number | null)[],
  dtype: DType = "float32",
  name?: string,
): Placeholder {
  if (!Array.isArray(shape))
    throw new TypeError(`placeholder: shape must be an array of sizes or null, got ${String(shape)}`);
  for (const d of shape) {
    if (d !== null && !(Number.isInteger(d) && d >= 0))
      throw new TypeError(
        `placeholder: dimensions must be non-negative integers or null, got ${fmtShape(shape)}`,
      );
  }
  if (!DTYPES.includes(dtype))
    throw new TypeError(
      `placeholder: unknown dtype '${String(dtype)}' (expected one of ${DTYPES.join(", ")})`,
    );
  return new Placeholder([...shape], dtype, name);
}

/** What a run returns for a traced function's result: arrays stay arrays, train ops become null. */
export type Outputs<R> = R extends NDArray
  ? NDArray
  : R extends TrainOp | null | undefined | void
    ? null
    : R extends readonly unknown[]
      ? { -readonly [K in keyof R]: Outputs<R[K]> }
      : R extends object
        ? { -readonly [K in keyof R]: Outputs<R[K]> }
        : never;

/**
 * Something to fetch: an output's path (`"loss"`, `"grads.0"`), a node as printed (`"%17"`), an array
 * or train op the traced function produced, or a placeholder (its fed value).
 */
export type Fetch = string | NDArray | TrainOp | Placeholder;

/** Values for the placeholders: by name, by Placeholder (a Map), or in input order (an array). */
export type Feed =
  Readonly<Record<string, NDArray>> | ReadonlyMap<Placeholder | string, NDArray> | readonly NDArray[];

export type TraceOptions = PlanOptions;

/** A function traced into a graph: call it like the original, or `run` chosen fetches Session-style. */
export interface TracedFunction<R> {
  /**
   * Runs the whole graph (every output and every train op) on new inputs, in input order. The arrays
   * returned live in the graph's own buffers: the next run overwrites them (copy what you keep, e.g.
   * with `.item()` or `.toTypedArray()`). The result object itself is also reused.
   */
  (...inputs: NDArray[]): Outputs<R>;
  /**
   * TF1's `session.run(fetches, feed_dict)`: computes only what `fetches` need (a train op runs its
   * update). A single fetch gives a single value, an array of fetches an array.
   */
  run(fetches: Fetch, feed: Feed): NDArray | null;
  run(fetches: readonly Fetch[], feed: Feed): (NDArray | null)[];
  /** TF1's `session.make_callable`: a function of the inputs (in order) that runs just these fetches. */
  makeCallable(fetches: readonly Fetch[]): (...inputs: NDArray[]) => readonly (NDArray | null)[];
  /** The graph traced for the shapes of the most recent run (or of the example inputs). */
  readonly graph: Graph;
  /** The graph for inputs of these shapes, traced now if needed. */
  graphFor(...inputs: NDArray[]): Graph;
  /** The execution plan (kernels, fused loops, buffers) for `fetches` (default: everything) on the current graph. */
  plan(fetches?: readonly Fetch[]): Plan;
  /** The inputs, in order. */
  readonly placeholders: readonly Placeholder[];
  /** How many graphs have been traced (one per distinct shape of the `null` dimensions). */
  readonly traceCount: number;
}

interface Specialization {
  readonly graph: Graph;
  readonly shapes: readonly (readonly number[])[];
  readonly plans: Map<string, Plan>;
  readonly all: readonly Leaf[];
  /** The object `f(...)` returns for this specialization's default plan. */
  result?: { plan: Plan; value: unknown };
  /** The plan for every output (what a call runs). */
  main?: Plan;
}

function leafKey(leaves: readonly Leaf[]): string {
  return leaves
    .map((l) => (l.kind === "node" ? `n${l.id}` : l.kind === "update" ? `u${l.id}` : "-"))
    .join(",");
}

const describe = (x: unknown) =>
  x instanceof NDArray ? `${x.dtype}${fmtShape(x.shape)}` : x === null ? "null" : typeof x;

class Traced<R> {
  readonly placeholders: Placeholder[];
  private readonly examples: (NDArray | undefined)[];
  private readonly names: string[];
  private readonly varying: boolean;
  private readonly specs: Specialization[] = [];
  private current: Specialization | undefined;

  constructor(
    private readonly fn: (...inputs: NDArray[]) => R,
    inputs: readonly (NDArray | Placeholder)[],
    private readonly options: TraceOptions,
  ) {
    if (typeof fn !== "function") throw new TypeError("trace: the first argument must be a function");
    if (!Array.isArray(inputs))
      throw new TypeError("trace: the second argument must be an array of example inputs or placeholders");
    this.examples = [];
    this.placeholders = inputs.map((x, i) => {
      placeholderBrand.reject(x, `trace: input #${i}`);
      if (x instanceof Placeholder) {
        this.examples.push(undefined);
        return x;
      }
      if (x instanceof NDArray) {
        this.examples.push(x);
        return new Placeholder([...x.shape], x.dtype, undefined);
      }
      throw new TypeError(`trace: input #${i} is ${describe(x)}; pass an example NDArray or a placeholder()`);
    });
    this.names = this.placeholders.map((p, i) => p.name ?? `input${i}`);
    const seen = new Set<string>();
    for (const n of this.names) {
      if (seen.has(n)) throw new GraphError(`trace: two placeholders are named '${n}'`);
      seen.add(n);
    }
    this.varying = this.placeholders.some((p) => p.shape.includes(null));
    if (!this.varying) {
      const ex = this.placeholders.map(
        (p, i) => this.examples[i] ?? NDArray.empty(p.shape as number[], p.dtype),
      );
      this.current = this.specialize(ex);
    }
  }

  get traceCount(): number {
    return this.specs.length;
  }

  get graph(): Graph {
    if (!this.current) {
      throw new GraphError(
        `trace: placeholders ${this.placeholders
          .map((p, i) => (p.shape.includes(null) ? `'${this.names[i]}' ${fmtShape(p.shape)}` : ""))
          .filter(Boolean)
          .join(
            ", ",
          )} have unknown dimensions: run the function once, or use graphFor(...inputs), to trace a graph`,
      );
    }
    return this.current.graph;
  }

  private specialize(examples: readonly NDArray[]): Specialization {
    const tracer = new Tracer();
    const args = examples.map((x, i) => {
      const a = contiguousCopy(x);
      tracer.addPlaceholder(a, this.names[i]!);
      return a;
    });
    const result = tracer.trace(() => this.fn(...args));
    const graph = tracer.finish(
      result,
      this.placeholders.map((p) => p.shape),
    );
    const all = graph.outputLeaves().map(([, l]) => l);
    const spec: Specialization = { graph, shapes: examples.map((x) => [...x.shape]), plans: new Map(), all };
    // Compile everything now, so that ops that cannot run fail at trace time.
    this.planFor(spec, all);
    this.specs.push(spec);
    return spec;
  }

  private planFor(spec: Specialization, leaves: readonly Leaf[]): Plan {
    const key = leafKey(leaves);
    let plan = spec.plans.get(key);
    if (!plan || plan.backend !== getBackend()) {
      plan = new Plan(spec.graph, leaves, this.options);
      spec.plans.set(key, plan);
    }
    return plan;
  }

  /** Checks the feeds against the placeholders and picks (or traces) the graph for their shapes. */
  private select(inputs: readonly unknown[]): Specialization {
    const ph = this.placeholders;
    if (inputs.length !== ph.length) {
      throw new FeedError(
        `expected ${ph.length} input${ph.length === 1 ? "" : "s"} (${this.names.join(", ")}), got ${inputs.length}`,
        this.names[Math.min(inputs.length, ph.length - 1)] ?? "",
      );
    }
    for (let i = 0; i < ph.length; i++) this.check(i, inputs[i]);
    const x = inputs as readonly NDArray[];
    const cur = this.current;
    if (!this.varying) return cur!;
    if (cur && sameShapes(cur.shapes, x)) return cur;
    let spec = this.specs.find((s) => sameShapes(s.shapes, x));
    spec ??= this.specialize(x);
    this.current = spec;
    return spec;
  }

  private check(i: number, x: unknown): void {
    const p = this.placeholders[i]!;
    const name = this.names[i]!;
    if (!(x instanceof NDArray)) {
      throw new FeedError(`feed for placeholder '${name}': expected an NDArray, got ${describe(x)}`, name);
    }
    const s = p.shape;
    let ok = x.shape.length === s.length;
    for (let d = 0; ok && d < s.length; d++) ok = s[d] === null || s[d] === x.shape[d];
    if (!ok) {
      throw new FeedError(
        `feed for placeholder '${name}': expected shape ${fmtShape(s)}, got ${fmtShape(x.shape)}`,
        name,
      );
    }
    if (x.dtype !== p.dtype) {
      throw new FeedError(
        `feed for placeholder '${name}': expected dtype ${p.dtype}, got ${x.dtype} (shape ${fmtShape(x.shape)}); ` +
          `convert it first, e.g. np.cast(x, "${p.dtype}")`,
        name,
      );
    }
  }

  call(inputs: NDArray[]): Outputs<R> {
    // Inside another trace (or under a GradientTape), run the function itself so that its ops are recorded.
    if (isTracing()) return this.fn(...inputs) as Outputs<R>;
    if (isRecording()) return runInlined(() => this.fn(...inputs)) as Outputs<R>;
    const spec = this.select(inputs);
    let plan = spec.main;
    if (plan === undefined || plan.backend !== getBackend()) plan = spec.main = this.planFor(spec, spec.all);
    plan.execute(inputs);
    if (!spec.result || spec.result.plan !== plan) {
      let k = 0;
      const build = (t: OutputTree): unknown => {
        if (isLeaf(t)) return plan.results[k++] ?? null;
        if (Array.isArray(t)) return t.map(build);
        const o: Record<string, unknown> = {};
        for (const [key, c] of Object.entries(t as Record<string, OutputTree>)) o[key] = build(c);
        return o;
      };
      spec.result = { plan, value: build(spec.graph.outputs) };
    }
    return spec.result.value as Outputs<R>;
  }

  private orderFeed(feed: Feed): unknown[] {
    if (Array.isArray(feed)) return feed;
    const out: unknown[] = new Array(this.placeholders.length).fill(undefined);
    const seen = new Uint8Array(out.length);
    const put = (key: unknown, v: unknown) => {
      placeholderBrand.reject(key, "feed");
      const i =
        key instanceof Placeholder
          ? this.placeholders.indexOf(key)
          : typeof key === "string"
            ? this.names.indexOf(key)
            : -1;
      if (i < 0) {
        const what = key instanceof Placeholder ? `placeholder ${key}` : `'${String(key)}'`;
        throw new FeedError(
          `feed: ${what} is not an input of this graph (inputs: ${this.names.join(", ")})`,
          String(key),
        );
      }
      out[i] = v;
      seen[i] = 1;
    };
    if (feed instanceof Map) for (const [k, v] of feed) put(k, v);
    else if (feed && typeof feed === "object") for (const [k, v] of Object.entries(feed)) put(k, v);
    else throw new TypeError("feed: expected a record of placeholder name → NDArray, a Map, or an array");
    seen.forEach((s, i) => {
      if (!s) {
        const p = this.placeholders[i]!;
        throw new FeedError(
          `feed: no value for placeholder '${this.names[i]}' (${p.dtype}${fmtShape(p.shape)})`,
          this.names[i]!,
        );
      }
    });
    return out;
  }

  private leafFor(spec: Specialization, f: Fetch): Leaf {
    const g = spec.graph;
    if (typeof f === "string") {
      const m = /^%(\d+)$/.exec(f);
      if (m) {
        const id = Number(m[1]);
        if (id >= g.nodes.length) throw new GraphError(`fetch '${f}': the graph has ${g.nodes.length} nodes`);
        return new Leaf("node", id);
      }
      const l = g.output(f);
      if (!l) {
        const names = g.outputLeaves().map(([p]) => `'${p}'`);
        throw new GraphError(
          `fetch '${f}': no output has that name (outputs: ${names.join(", ") || "none"}; or fetch a node as '%<id>')`,
        );
      }
      return l;
    }
    placeholderBrand.reject(f, "fetch");
    trainOpBrand.reject(f, "fetch");
    if (f instanceof Placeholder) {
      const i = this.placeholders.indexOf(f);
      if (i < 0) throw new GraphError(`fetch: ${f} is not an input of this graph`);
      return new Leaf("node", g.placeholders[i]!);
    }
    if (f instanceof NDArray || f instanceof TrainOp) {
      const direct = g.handle(f);
      if (direct) return direct;
      // A handle from the graph of another shape: fetch the output at the same path.
      for (const other of this.specs) {
        const l = other.graph.handle(f);
        if (!l) continue;
        const path = other.graph.outputLeaves().find(([, o]) => o.kind === l.kind && o.id === l.id)?.[0];
        const mapped = path === undefined ? undefined : g.output(path);
        if (mapped) return mapped;
        throw new GraphError(
          `fetch: this array belongs to the graph traced for shapes ${other.shapes.map((s) => fmtShape(s)).join(", ")}; ` +
            "return it from the traced function to fetch it at other shapes",
        );
      }
      throw new GraphError(
        "fetch: this array was not computed by the traced function (fetch an output by name, a node as '%<id>', " +
          "or an array the function produced while it was traced)",
      );
    }
    throw new TypeError(`fetch: expected an output name, '%<id>', an NDArray, a TrainOp or a Placeholder`);
  }

  run(fetches: Fetch | readonly Fetch[], feed: Feed): NDArray | null | (NDArray | null)[] {
    if (isTracing() || isRecording()) {
      throw new GraphError(
        "run: cannot run a graph while ops are being recorded (inside trace or a GradientTape); call the traced function instead",
      );
    }
    const inputs = this.orderFeed(feed);
    const spec = this.select(inputs);
    const list = Array.isArray(fetches) ? (fetches as readonly Fetch[]) : [fetches as Fetch];
    const plan = this.planFor(
      spec,
      list.map((f) => this.leafFor(spec, f)),
    );
    const res = plan.execute(inputs as NDArray[]);
    return Array.isArray(fetches) ? [...res] : res[0]!;
  }

  makeCallable(fetches: readonly Fetch[]): (...inputs: NDArray[]) => readonly (NDArray | null)[] {
    const cache = new Map<Specialization, Leaf[]>();
    return (...inputs: NDArray[]) => {
      const spec = this.select(inputs);
      let leaves = cache.get(spec);
      if (!leaves) {
        leaves = fetches.map((f) => this.leafFor(spec, f));
        cache.set(spec, leaves);
      }
      return this.planFor(spec, leaves).execute(inputs);
    };
  }

  graphFor(inputs: NDArray[]): Graph {
    return this.select(inputs).graph;
  }

  plan(fetches?: readonly Fetch[]): Plan {
    const spec = this.current;
    if (!spec) return this.graph as never; // throws the explanation
    return this.planFor(spec, fetches ? fetches.map((f) => this.leafFor(spec, f)) : spec.all);
  }
}

function sameShapes(shapes: readonly (readonly number[])[], xs: readonly NDArray[]): boolean {
  for (let i = 0; i < shapes.length; i++) {
    const a = shapes[i]!;
    const b = xs[i]!.shape;
    if (a.length !== b.length) return false;
    for (let d = 0; d < a.length; d++) if (a[d] !== b[d]) return false;
  }
  return true;
}

/**
 * Traces `fn` once on example inputs (or placeholders) and returns a function that runs the recorded
 * graph: planned buffers reused on every run, elementwise chains fused, dead nodes skipped.
 *
 * - Inputs: each example NDArray becomes a placeholder of its shape and dtype; a `placeholder()` may
 *   leave dimensions unknown (`null`), and the function is then traced once per distinct shape.
 * - Variables read inside `fn` are live state: runs read their current values. Any other array `fn`
 *   closes over is a constant, captured by value.
 * - Like `jax.jit`, JS control flow and values read on the JS side (`.item()`, `.data`, `toArray()`,
 *   random draws) are fixed at trace time.
 * - Inside `fn`, `gradients(loss, vars)` and `minimize(loss, optimizer)` add the backward pass and an
 *   optimizer update to the graph; a GradientTape inside `fn` works too.
 */
export function trace<R>(
  fn: (...inputs: NDArray[]) => R,
  inputs: readonly (NDArray | Placeholder)[],
  options: TraceOptions = {},
): TracedFunction<R> {
  const impl = new Traced(fn, inputs, options);
  const f = ((...xs: NDArray[]) => impl.call(xs)) as TracedFunction<R>;
  Object.defineProperties(f, {
    graph: { get: () => impl.graph },
    placeholders: { get: () => impl.placeholders },
    traceCount: { get: () => impl.traceCount },
    run: { value: (fetches: Fetch | readonly Fetch[], feed: Feed) => impl.run(fetches, feed) },
    makeCallable: { value: (fetches: readonly Fetch[]) => impl.makeCallable(fetches) },
    graphFor: { value: (...xs: NDArray[]) => impl.graphFor(xs) },
    plan: { value: (fetches?: readonly Fetch[]) => impl.plan(fetches) },
  });
  return f;
}
