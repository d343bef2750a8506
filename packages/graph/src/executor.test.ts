// The executor: buffers planned once and reused, dead nodes skipped, elementwise chains fused.
import { afterEach, describe, expect, it } from "vitest";
import * as np from "@chainrule/ndarray";
import { Variable } from "@chainrule/autograd";
import { GradientDescentOptimizer, gradients, placeholder, trace } from "./index";
import { copyingBackend, countingBackend } from "./test-helpers";

const initial = np.getBackend();
afterEach(() => np.setBackend(initial));

function mlp() {
  const rng = new np.Random(0);
  const W1 = new Variable(rng.normal([4, 8], 0, 0.5, "float32"), { name: "W1" });
  const b1 = new Variable(np.zeros([8]), { name: "b1" });
  const W2 = new Variable(rng.normal([8, 3], 0, 0.5, "float32"), { name: "W2" });
  const b2 = new Variable(np.zeros([3]), { name: "b2" });
  const forward = (x: np.NDArray) => np.matmul(np.tanh(np.matmul(x, W1).add(b1)), W2).add(b2);
  return { params: [W1, b1, W2, b2], forward };
}

describe("buffer planning", () => {
  it("runs twice into the same output arrays and the same kernel buffers, and reuses buffers", () => {
    const counting = countingBackend();
    np.setBackend(counting.backend);
    const { params, forward } = mlp();
    const f = trace(
      (x, y) => {
        const loss = np.mean(np.square(forward(x).sub(y)));
        return { loss, grads: gradients(loss, params) };
      },
      [placeholder([5, 4], "float32", "x"), placeholder([5, 3], "float32", "y")],
    );
    const rng = new np.Random(1);
    const x = rng.normal([5, 4], 0, 1, "float32");
    const y = rng.normal([5, 3], 0, 1, "float32");
    counting.reset();
    const a = f(x, y);
    const firstOuts = [...counting.outs];
    const firstLoss = a.loss.item();
    const firstGrads = a.grads.map((g) => g!.toTypedArray());
    counting.reset();
    const b = f(x, y);
    // The same objects: nothing is allocated for results…
    expect(b).toBe(a);
    expect(b.loss).toBe(a.loss);
    b.grads.forEach((g, i) => expect(g).toBe(a.grads[i]));
    // …nor for any kernel output: every kernel writes the buffers it wrote on the first run.
    expect(counting.outs.length).toBe(firstOuts.length);
    counting.outs.forEach((buf, i) => expect(buf).toBe(firstOuts[i]));
    // Reused buffers give the same numbers (accumulating kernels get zeroed buffers).
    expect(b.loss.item()).toBe(firstLoss);
    b.grads.forEach((g, i) => expect(g!.toTypedArray()).toEqual(firstGrads[i]));
    // Liveness: fewer buffers than kernel outputs (fused loops write planned buffers too).
    const stats = f.plan().stats;
    expect(new Set(firstOuts.map((o) => o.buffer)).size).toBeLessThanOrEqual(stats.buffers);
    expect(stats.buffers).toBeLessThan(stats.kernelLaunches);
  });

  it("gives the eager values on a wasm-like backend that only honours the Kernel contract", () => {
    const { params, forward } = mlp();
    const rng = new np.Random(2);
    const x = rng.normal([5, 4], 0, 1, "float32");
    const eager = forward(x).toTypedArray();
    np.setBackend(copyingBackend());
    const f = trace((xb) => forward(xb), [placeholder([5, 4], "float32", "x")]);
    expect(f.plan().backend.name).toBe("copying");
    f(x);
    expect((f(x) as np.NDArray).toTypedArray()).toEqual(eager);
    // Switching backends re-plans on the next run.
    np.setBackend(initial);
    expect((f(x) as np.NDArray).toTypedArray()).toEqual(eager);
    expect(f.plan().backend).toBe(initial);
    expect(params.length).toBe(4);
  });
});

describe("dead nodes", () => {
  it("skips what the fetches do not need", () => {
    const counting = countingBackend();
    np.setBackend(counting.backend);
    const W = new Variable(np.ones([3, 3]), { name: "W" });
    const f = trace(
      (x) => {
        np.matmul(np.matmul(x, W), W); // computed while tracing, never used
        const a = np.exp(x);
        const b = np.matmul(x, W);
        return { a, b };
      },
      [placeholder([3, 3], "float32", "x")],
    );
    const x = np.ones([3, 3]);
    counting.reset();
    f(x);
    expect(counting.calls.filter((c) => c === "matmul")).toHaveLength(1);
    counting.reset();
    f.run("a", { x });
    expect(counting.calls).toEqual(["exp"]);
    counting.reset();
    f.run(["b"], { x });
    expect(counting.calls).toEqual(["matmul"]);
    expect(f.plan(["a"]).stats.liveNodes).toBeLessThan(f.plan().stats.liveNodes);
  });

  it("runs a train op only when it is fetched", () => {
    const w = new Variable(np.array([1, 2]), { name: "w" });
    const f = trace(
      (x) => {
        const loss = np.sum(np.mul(w, x));
        return { loss, train: new GradientDescentOptimizer(0.5).minimize(loss) };
      },
      [placeholder([2], "float32", "x")],
    );
    const x = np.array([1, 1]);
    f.run("loss", { x });
    expect(w.toArray()).toEqual([1, 2]);
    expect(f.run(["train", "loss"], { x })).toEqual([null, expect.any(np.NDArray)]);
    expect(w.toArray()).toEqual([0.5, 1.5]);
  });
});

describe("descent fused into the weight gradient", () => {
  // Per-sample SGD: each weight gradient is xᵀ·δ, a small matmul the update can absorb.
  const step = (fetchGrads: boolean, lr = 0.1) => {
    const { params, forward } = mlp();
    const opt = new GradientDescentOptimizer(lr);
    const f = trace(
      (x, y) => {
        const loss = np.mean(np.square(forward(x).sub(y)));
        const out: Record<string, unknown> = { loss, train: opt.minimize(loss, params) };
        if (fetchGrads) out.grads = gradients(loss, params);
        return out;
      },
      [placeholder([1, 4], "float32", "x"), placeholder([1, 3], "float32", "y")],
    );
    return { params, opt, f };
  };
  const rng = new np.Random(5);
  const feeds = Array.from({ length: 4 }, () => [
    rng.normal([1, 4], 0, 1, "float32"),
    rng.normal([1, 3], 0, 1, "float32"),
  ]);

  it("updates W1 and W2 inside their gradient matmuls, bit-identical to the unfused step, with a live learning rate", () => {
    const fused = step(false);
    const unfused = step(true); // fetching the gradients keeps them (and the plain update)
    expect(String(fused.f.plan()).match(/descent fused/g)).toHaveLength(2);
    expect(String(unfused.f.plan())).not.toMatch(/descent fused/);
    for (const [i, [x, y]] of feeds.entries()) {
      if (i === 2) fused.opt.learningRate = unfused.opt.learningRate = 0.03; // read on every run
      fused.f(x!, y!);
      unfused.f(x!, y!);
    }
    fused.params.forEach((p, i) => expect(p.toTypedArray()).toEqual(unfused.params[i]!.toTypedArray()));
    expect(fused.params[0]!.toTypedArray()).not.toEqual(mlp().params[0]!.toTypedArray());
  });
});

describe("fusion", () => {
  // A mix of float32 rounding, integer and bool intermediates, broadcast and scalar operands.
  const fn = (x: np.NDArray, b: np.NDArray) => {
    const t = np.tanh(x.mul(1.7).add(b)); // b broadcast along rows
    const m = np.where(np.gt(t, 0.1), np.exp(np.neg(t)), np.sigmoid(t.mul(3)));
    const k = np.cast(np.cast(m.mul(10), "int32").add(3), "float32");
    return np.maximum(np.sqrt(np.abs(k.sub(m))), np.relu(x)).div(2);
  };
  const rng = new np.Random(9);
  const x = rng.normal([6, 5], 0, 1.5, "float32");
  const b = rng.normal([5], 0, 1, "float32");

  it("fuses elementwise chains into fewer kernel launches, bit for bit", () => {
    const counting = countingBackend();
    np.setBackend(counting.backend);
    const eager = fn(x, b).toTypedArray();
    counting.reset();
    fn(x, b);
    const eagerLaunches = counting.calls.length;
    const f = trace(fn, [placeholder([6, 5], "float32", "x"), placeholder([5], "float32", "b")]);
    counting.reset();
    const out = f(x, b) as np.NDArray;
    expect(out.toTypedArray()).toEqual(eager);
    const stats = f.plan().stats;
    expect(stats.fusedGroups).toBeGreaterThan(0);
    expect(stats.generatedCode).toBe(true);
    expect(counting.calls.length).toBe(stats.kernelLaunches - stats.fusedGroups);
    expect(stats.kernelLaunches).toBeLessThan(eagerLaunches);
    expect(stats.kernelLaunches).toBeLessThan(stats.liveOps);
    expect(f.plan().toString()).toMatch(/fused\[mul → add → tanh/);
  });

  it("the CSP-safe interpreter and the unfused plan agree with the generated code", () => {
    const eager = fn(x, b).toTypedArray();
    const inputs = [placeholder([6, 5], "float32", "x"), placeholder([5], "float32", "b")];
    const interp = trace(fn, inputs, { codegen: false });
    const unfused = trace(fn, inputs, { fusion: false });
    expect((interp(x, b) as np.NDArray).toTypedArray()).toEqual(eager);
    expect(interp.plan().stats.generatedCode).toBe(false);
    expect((unfused(x, b) as np.NDArray).toTypedArray()).toEqual(eager);
    expect(unfused.plan().stats.fusedGroups).toBe(0);
  });

  it("hands each fused group to a backend that compiles groups its own way", () => {
    // The backend's own evaluator: a naive per-element walk over the group's data, sharing no code with the
    // graph's generated loop (index arithmetic from the strides, rounding through a typed array of the dtype).
    const groups: np.ElementwiseGroup[] = [];
    const round = (dtype: np.DType, v: number) => np.allocate(dtype, 1).fill(v)[0]!;
    const value = (m: np.ElementwiseMember, [a, b, c]: number[]): number => {
      if (m.op === "where") return a ? b! : c!;
      if (m.op === "cast") return m.castTo === "bool" ? (a !== 0 ? 1 : 0) : a!;
      if (m.op in np.unaryTable) return np.unaryTable[m.op as np.UnaryOp].scalar(a!);
      return np.binaryTable[m.op as np.BinaryOp].scalar(a!, b!);
    };
    const own: np.HostBackend = {
      name: "own-fusion",
      kernels: {},
      compileElementwise: (group) => {
        groups.push(group);
        return () => {
          const { out, ext, extLiteral, members } = group;
          for (let i = 0; i < out.size; i++) {
            const idx = out.shape.map((_, d) => Math.floor(i / out.strides[d]!) % out.shape[d]!);
            const read = (e: np.NDArray, j: number) =>
              extLiteral[j] ?? e.buffer[e.offset + idx.reduce((o, q, d) => o + q * e.strides[d]!, 0)]!;
            const t: number[] = [];
            for (const m of members) {
              const args = m.operands.map((o) => (o >= 0 ? t[o]! : read(ext[-o - 1]!, -o - 1)));
              t.push(round(m.dtype, value(m, args)));
            }
            out.buffer[i] = t[t.length - 1]!;
          }
        };
      },
    };
    const eager = fn(x, b).toTypedArray();
    np.setBackend(own);
    const f = trace(fn, [placeholder([6, 5], "float32", "x"), placeholder([5], "float32", "b")]);
    expect((f(x, b) as np.NDArray).toTypedArray()).toEqual(eager);
    expect(groups.length).toBe(f.plan().stats.fusedGroups);
    expect(groups.length).toBeGreaterThan(0);
    expect(f.plan().toString()).toMatch(/fused\[[^\]]+\] \(own-fusion\)/);
  });

  it("handles float64, transposed and sliced operands", () => {
    const a = new np.Random(4).normal([4, 6], 0, 1, "float64");
    const g = (v: np.NDArray) =>
      np
        .exp(np.transpose(v).mul(0.5))
        .sub(np.slice(np.transpose(v), "::-1, :"))
        .square();
    const eager = g(a).toTypedArray();
    const f = trace(g, [a]);
    expect((f(a) as np.NDArray).toTypedArray()).toEqual(eager);
    expect((trace(g, [a], { codegen: false })(a) as np.NDArray).toTypedArray()).toEqual(eager);
    expect(f.plan().stats.fusedGroups).toBe(1);
  });
});
