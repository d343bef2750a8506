import { afterEach, describe, expect, it } from "vitest";
import { backend, backendName, restoreBackend } from "./testing/backend";
import { expectArray } from "./testing/helpers";
import * as np from "./index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });
const VIEWS = ["reshape", "permute", "expand", "slice"];

/** Runs `fn` with a recorder on and returns the names of the primitives it saw. */
function recorded(fn: () => unknown): {
  names: string[];
  calls: [np.Primitive, readonly np.NDArray[], np.NDArray][];
} {
  const calls: [np.Primitive, readonly np.NDArray[], np.NDArray][] = [];
  const rec: np.Recorder = { record: (p, inputs, out) => void calls.push([p, inputs, out]) };
  np.pushRecorder(rec);
  try {
    fn();
  } finally {
    np.popRecorder(rec);
  }
  return { names: calls.map(([p]) => p.name), calls };
}

describe(`backend [${backendName}]`, () => {
  afterEach(restoreBackend);

  it("the test helper installed the backend named by CHAINRULE_BACKEND", () => {
    expect(np.getBackend()).toBe(backend);
    if (backendName === "js") expect(backend).toBe(np.jsBackend);
  });

  it("withBackend runs f on the given backend and restores the current one, also when f throws", () => {
    const traced: string[] = [];
    const spy: np.Backend = {
      name: "spy",
      kernels: {
        add: (inputs, params, out) => (traced.push("add"), np.jsBackend.kernels.add(inputs, params, out)),
      },
    };
    const sum = np.withBackend(spy, () => np.add(np.array([1, 2]), np.array([3, 4])));
    expectArray(sum, [4, 6]);
    expect(traced).toEqual(["add"]);
    expect(np.getBackend()).toBe(backend);
    expect(() =>
      np.withBackend(spy, () => {
        throw new Error("inside");
      }),
    ).toThrow("inside");
    expect(np.getBackend()).toBe(backend);
  });

  it("has exactly one kernel per computing primitive", () => {
    const computing = Object.keys(np.primitives)
      .filter((n) => !VIEWS.includes(n))
      .sort();
    expect(Object.keys(np.jsBackend.kernels).sort()).toEqual(computing);
    expect(Object.keys(np.kernelsOf(backend)).sort()).toEqual(computing);
    for (const [name, prim] of Object.entries(np.primitives)) {
      expect(prim.name).toBe(name);
      expect(typeof prim.vjp).toBe("function");
    }
  });

  it("a host backend overrides some kernels; the reference kernels run the rest", () => {
    const seen: string[] = [];
    const mul: np.Kernel<"mul"> = (inputs, params, out) => {
      seen.push("own mul");
      np.jsBackend.kernels.mul(inputs, params, out);
    };
    np.setBackend({ name: "partial", kernels: { mul } });
    expectArray(np.sum(np.mul(f64([1, 2]), f64([3, 4]))), 11);
    expect(seen).toEqual(["own mul"]);
    expect(np.kernelsOf(np.getBackend()).sum).toBe(np.jsBackend.kernels.sum);
  });

  it("ops reach their kernels through the installed backend", () => {
    const seen: string[] = [];
    const kernels = Object.fromEntries(
      Object.entries(np.kernelsOf(backend)).map(([name, k]) => [
        name,
        (...args: Parameters<typeof k>) => {
          seen.push(name);
          return (k as (...a: unknown[]) => void)(...args);
        },
      ]),
    ) as unknown as np.KernelTable;
    np.setBackend({ name: "spy", kernels });
    expect(np.getBackend().name).toBe("spy");
    expectArray(np.sum(np.mul(f64([1, 2]), f64([3, 4]))), 11);
    expectArray(np.matmul(f64([[1, 2]]), f64([[3], [4]])), [[11]]);
    expect(seen).toEqual(["mul", "sum", "matmul"]);
  });
});

describe(`recording [${backendName}]`, () => {
  it("emits each primitive once, with its inputs and output, and nothing from inside kernels", () => {
    const a = f64([
      [1, 2],
      [3, 4],
    ]);
    const b = f64([10, 20]);
    const t = np.transpose(a);
    // A reduction of a permuted view and a matmul of a transposed operand: their kernels rearrange
    // data internally, which must not show up as recorded ops.
    const { names, calls } = recorded(() => {
      np.sum(t, 0);
      np.matmul(t, a);
      np.add(a, b);
      np.argmax(t, 1);
      np.concat([a, t]);
      np.gather(t, [1, 0]);
    });
    // sum without keepdims drops the reduced axis with a (recorded) reshape.
    // Binary ops broadcast inside the kernel: add records its operands in their own shapes.
    expect(names).toEqual(["sum", "reshape", "matmul", "add", "argmax", "concat", "gather"]);
    const [, inputs, out] = calls[3]!;
    expect(inputs[0]).toBe(a);
    expect(inputs[1]).toBe(b);
    expect(out.shape).toEqual([2, 2]);
  });

  it("records views (reshape, permute, expand, slice) and copies made by reshape", () => {
    const x = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(recorded(() => np.reshape(x, [3, 2])).names).toEqual(["reshape"]);
    expect(recorded(() => np.transpose(x)).names).toEqual(["permute"]);
    expect(recorded(() => np.broadcastTo(x, [2, 2, 3])).names).toEqual(["expand"]);
    expect(recorded(() => np.slice(x, "1:, ::2")).names).toEqual(["slice"]);
    expect(recorded(() => np.reshape(np.transpose(x), [6])).names).toEqual(["permute", "copy", "reshape"]);
  });

  it("isRecording, popRecorder and withoutRecording", () => {
    expect(np.isRecording()).toBe(false);
    const names: string[] = [];
    const rec: np.Recorder = { record: (p) => void names.push(p.name) };
    np.pushRecorder(rec);
    expect(np.isRecording()).toBe(true);
    np.withoutRecording(() => {
      expect(np.isRecording()).toBe(false);
      np.exp(f64([1]));
    });
    expect(np.isRecording()).toBe(true);
    np.neg(f64([1]));
    np.popRecorder(rec);
    expect(np.isRecording()).toBe(false);
    np.neg(f64([1]));
    expect(names).toEqual(["neg"]);
  });

  it("emit forwards to every active recorder (nested tapes)", () => {
    const outer: string[] = [];
    const inner: string[] = [];
    const r1: np.Recorder = { record: (p) => void outer.push(p.name) };
    const r2: np.Recorder = { record: (p) => void inner.push(p.name) };
    np.pushRecorder(r1);
    np.pushRecorder(r2);
    const custom: np.Primitive<{ k: number }> = { name: "custom", vjp: () => [null] };
    np.emit(custom, [f64([1])], f64([2]), { k: 1 });
    np.popRecorder(r2);
    np.sqrt(f64([4]));
    np.popRecorder(r1);
    expect(outer).toEqual(["custom", "sqrt"]);
    expect(inner).toEqual(["custom"]);
  });
});
