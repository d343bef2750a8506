// Each planning pass on small traced graphs, checked against what the graph's listing says it holds.
import { describe, expect, it } from "vitest";
import * as np from "@chainrule/ndarray";
import { Variable } from "@chainrule/autograd";
import { GradientDescentOptimizer, placeholder, trace } from "../index";
import type { Graph, Leaf } from "../graph";
import { cse } from "./cse";
import { liveness } from "./liveness";
import { fuse } from "./fuse";
import { schedule } from "./schedule";
import { fuseDescent } from "./descent";
import { assignBuffers } from "./buffers";

const x = placeholder([2, 3], "float32", "x");
const all = (g: Graph): Leaf[] => g.outputLeaves().map(([, l]) => l);
const opIds = (g: Graph, op: string) => g.nodes.filter((n) => n.op === op).map((n) => n.id);

function passes(g: Graph, leaves = all(g)) {
  const c = cse(g.nodes);
  const l = liveness(g, leaves, c);
  const f = fuse(g.nodes, c, l);
  const steps = schedule(g.nodes, c, l, f);
  return { c, l, f, steps };
}

describe("cse", () => {
  it("maps a repeated op to its first occurrence and rewires its readers", () => {
    const g = trace((a) => np.add(np.exp(a), np.exp(a)), [x]).graph;
    const [e1, e2] = opIds(g, "exp");
    const add = opIds(g, "add")[0]!;
    const { canon, ins } = cse(g.nodes);
    expect(canon[e2!]).toBe(e1);
    expect(ins[add]).toEqual([e1, e1]);
  });

  it("keeps ops with different params apart", () => {
    const g = trace((a) => np.add(np.sum(np.exp(a), 0), np.sum(np.exp(a), 1).sum()), [x]).graph;
    const { canon } = cse(g.nodes);
    const sums = opIds(g, "sum");
    expect(new Set(sums.map((s) => canon[s])).size).toBe(sums.length);
  });

  it("turns a reduction over size-1 axes into its input", () => {
    const g = trace((a) => np.sum(np.exp(a), 0, true), [placeholder([1, 3], "float32", "row")]).graph;
    const { canon } = cse(g.nodes);
    expect(canon[opIds(g, "sum")[0]!]).toBe(opIds(g, "exp")[0]);
  });
});

describe("liveness", () => {
  it("marks only what the fetches need, and counts who reads each node", () => {
    const g = trace((a) => ({ used: np.tanh(a), unused: np.exp(np.sin(a)) }), [x]).graph;
    const c = cse(g.nodes);
    const l = liveness(g, [g.output("used")!], c);
    const [tanh] = opIds(g, "tanh");
    const [sin] = opIds(g, "sin");
    expect(l.live[tanh!]).toBe(1);
    expect(l.live[sin!]).toBe(0);
    expect(l.usedOutside[tanh!]).toBe(1);
    expect(l.liveOps).toBe(1);
    expect(l.consumers[g.placeholders[0]!]).toEqual([tanh]);
  });
});

describe("fuse", () => {
  it("groups an elementwise chain, and leaves a value read outside the chain out of it", () => {
    const g = trace((a) => ({ y: np.exp(np.tanh(np.sin(a))), mid: np.sin(a).sum() }), [x]).graph;
    const { f } = passes(g);
    const [sin] = opIds(g, "sin");
    const [tanh] = opIds(g, "tanh");
    const [exp] = opIds(g, "exp");
    expect(f.groups.get(exp!)).toEqual([tanh, exp]); // sin is also read by the sum
    expect(f.groupOf[sin!]).toBe(-1);
  });

  it("does not fuse across a change of shape", () => {
    const g = trace((a) => np.exp(np.tanh(a).sum(0)), [x]).graph;
    expect(passes(g).f.groups.size).toBe(0);
  });
});

describe("schedule", () => {
  it("has one step per unfused op and one per group, in execution order, reading root buffers", () => {
    const g = trace((a) => np.exp(np.tanh(a)).reshape([3, 2]).sum(0), [x]).graph;
    const { steps } = passes(g);
    expect(steps.map((s) => s.kind)).toEqual(["fused", "kernel"]);
    const [exp] = opIds(g, "exp");
    expect(steps[1]!.reads).toEqual([exp]); // through the reshape view, to the buffer it views
  });
});

describe("fuseDescent", () => {
  it("moves a plain-descent weight gradient x^T·δ into one step at the end of the run", () => {
    const W = new Variable(np.ones([3, 2], "float32"), { name: "W" });
    const g = trace((a) => new GradientDescentOptimizer(0.1).minimize(np.matmul(a, W).sum()), [x]).graph;
    const leaves = all(g);
    const { c, l, steps } = passes(g, leaves);
    const out = fuseDescent(g, leaves, c, l, steps);
    expect(out.fused).toEqual(new Set(["0:0"]));
    expect(out.steps.at(-1)!.kind).toBe("descent");
    expect(out.steps.length).toBe(steps.length);
  });
});

describe("assignBuffers", () => {
  const chain = (a: np.NDArray) => {
    const m1 = np.matmul(a, a.T); // [2,2]
    const m3 = np.matmul(np.matmul(m1, a), a.T); // [2,3], then [2,2]
    return { m1, m3 };
  };
  const plan = (fetch: string[]) => {
    const g = trace(chain, [x]).graph;
    const { c, l, steps } = passes(
      g,
      fetch.map((p) => g.output(p)!),
    );
    const sizes: number[] = [];
    const escaped: number[] = [];
    const counting = (into: number[]) => (dtype: np.DType, size: number) => {
      into.push(size);
      return np.allocate(dtype, size);
    };
    const escaping = new Set(fetch.map((p) => c.rootOf(c.canon[g.output(p)!.id]!)));
    const b = assignBuffers(
      g.nodes,
      c,
      l,
      steps,
      { allocate: counting(sizes), allocateEscaping: counting(escaped) },
      escaping,
    );
    const [m1, , m3] = opIds(g, "matmul");
    return { b, sizes, escaped, reused: b.slotOf.get(m3!) === b.slotOf.get(m1!) };
  };

  it("reuses a buffer once its last reader has run, but never for a fetched value", () => {
    // m1's buffer is free after m2 reads it; m3 is fetched, so it takes a buffer of its own kind.
    const { sizes, escaped, reused } = plan(["m3"]);
    expect(sizes).toEqual([4, 6]);
    expect(escaped).toEqual([4]);
    expect(reused).toBe(false);
  });

  it("never reuses a fetched buffer", () => {
    const { sizes, escaped, reused } = plan(["m1", "m3"]);
    expect(sizes).toEqual([6]);
    expect(escaped).toEqual([4, 4]);
    expect(reused).toBe(false);
  });

  it("reuses freely where one allocator serves both kinds", () => {
    const g = trace(chain, [x]).graph;
    const { c, l, steps } = passes(g, [g.output("m3")!]);
    const sizes: number[] = [];
    const allocate = (dtype: np.DType, size: number) => (sizes.push(size), np.allocate(dtype, size));
    const escaping = new Set([c.rootOf(c.canon[g.output("m3")!.id]!)]);
    const b = assignBuffers(g.nodes, c, l, steps, { allocate }, escaping);
    const [m1, , m3] = opIds(g, "matmul");
    expect(sizes).toEqual([4, 6]);
    expect(b.slotOf.get(m3!)).toBe(b.slotOf.get(m1!));
  });
});
