// The tracing API: placeholders and feeds, fetches, printing, what is live and what is captured.
import { describe, expect, it } from "vitest";
import * as np from "@chainrule/ndarray";
import { GradientTape, Variable, customGrad } from "@chainrule/autograd";
import { SGD } from "@chainrule/optim";
import {
  FeedError,
  GradientDescentOptimizer,
  GraphError,
  compileTrainStep,
  gradients,
  minimize,
  placeholder,
  trace,
} from "./index";

describe("trace and run", () => {
  const W = new Variable(
    np.array([
      [1, 2],
      [3, 4],
    ]),
    { name: "W" },
  );
  const net = () =>
    trace(
      (x, y) => {
        const h = np.relu(np.matmul(x, W));
        const loss = np.mean(np.square(h.sub(y)));
        return { h, loss };
      },
      [placeholder([1, 2], "float32", "x"), placeholder([1, 2], "float32", "y")],
    );

  it("prints the graph like a jaxpr: inputs, variables, constants, then one line per node", () => {
    const text = net().graph.toString();
    expect(text).toContain("graph(%0:f32[1,2] x, %1:f32[1,2] y) {");
    expect(text).toMatch(/variables:\n {4}%2:f32\[2,2\] W/);
    expect(text).toContain("%3:f32[1,2] = matmul(%0, %2)");
    expect(text).toContain("%4:f32[1,2] = relu(%3)");
    expect(text).toMatch(/%\d+:f32\[\] = 2\n/); // the mean's divisor, a constant
    expect(text).toMatch(/sum\(%\d+\) \{axes=\[0,1\]\}/);
    expect(text).toMatch(/in \{ h: %4, loss: %\d+ \}\n\}$/);
  });

  it("fetches outputs by name, nodes by id, arrays by handle, and placeholders", () => {
    let hidden: np.NDArray | undefined;
    const f = trace(
      (x) => {
        hidden = np.matmul(x, W);
        return { out: np.relu(hidden).sum() };
      },
      [placeholder([1, 2], "float32", "x")],
    );
    const x = np.array([[1, -1]]);
    expect((f.run("out", { x }) as np.NDArray).item()).toBe(0);
    expect((f.run(hidden!, { x }) as np.NDArray).toArray()).toEqual([[-2, -2]]);
    expect((f.run("%1", new Map([["x", x]])) as np.NDArray).toArray()).toEqual(W.toArray());
    expect((f.run("out", new Map([[f.placeholders[0]!, x]])) as np.NDArray).item()).toBe(0);
    const [xs, out] = f.run([f.placeholders[0]!, "out"], [x]);
    expect(xs!.toArray()).toEqual([[1, -1]]);
    expect(out!.item()).toBe(0);
    expect(() => f.run("nope", { x })).toThrow(/fetch 'nope': no output has that name \(outputs: 'out'/);
    expect(() => f.run(np.ones([1]), { x })).toThrow(GraphError);
  });

  it("checks feeds and names the placeholder and both shapes", () => {
    const f = net();
    const x = np.ones([1, 2]);
    expect(() => f(np.ones([3, 2]), x)).toThrow(
      new FeedError("feed for placeholder 'x': expected shape [1, 2], got [3, 2]", "x"),
    );
    expect(() => f.run("loss", { x, y: np.ones([1, 3]) })).toThrow(
      "feed for placeholder 'y': expected shape [1, 2], got [1, 3]",
    );
    expect(() => f.run("loss", { x, y: np.ones([1, 2], "float64") })).toThrow(
      /feed for placeholder 'y': expected dtype float32, got float64 \(shape \[1, 2\]\)/,
    );
    expect(() => f.run("loss", { x })).toThrow("feed: no value for placeholder 'y' (float32[1, 2])");
    expect(() => f.run("loss", { x, y: x, z: x })).toThrow(
      /'z' is not an input of this graph \(inputs: x, y\)/,
    );
    expect(() => f(x)).toThrow(/expected 2 inputs \(x, y\), got 1/);
    try {
      f(x, [[1, 2]] as unknown as np.NDArray);
    } catch (e) {
      expect(e).toBeInstanceOf(FeedError);
      expect((e as FeedError).placeholder).toBe("y");
    }
  });

  it("traces once per distinct shape of the unknown dimensions", () => {
    const f = trace((x) => np.sum(np.matmul(x, W), 1), [placeholder([null, 2], "float32", "x")]);
    expect(f.traceCount).toBe(0);
    expect(() => f.graph).toThrow(/unknown dimensions/);
    expect((f(np.ones([3, 2])) as np.NDArray).toArray()).toEqual([10, 10, 10]);
    expect((f(np.ones([1, 2])) as np.NDArray).toArray()).toEqual([10]);
    expect((f(np.ones([3, 2])) as np.NDArray).toArray()).toEqual([10, 10, 10]);
    expect(f.traceCount).toBe(2);
    expect(f.graph.toString()).toContain("%0:f32[3,2] x (declared [?, 2])");
    expect(() => f(np.ones([3, 3]))).toThrow("feed for placeholder 'x': expected shape [?, 2], got [3, 3]");
  });

  it("maps a handle to the same output in the graph of another shape", () => {
    let out: np.NDArray | undefined;
    const f = trace((x) => (out = np.exp(x)), [placeholder([null], "float32", "x")]);
    f(np.zeros([2]));
    expect((f.run(out!, { x: np.zeros([3]) }) as np.NDArray).toArray()).toEqual([1, 1, 1]);
  });
});

describe("what is live and what is captured", () => {
  it("reads Variables live and captures other arrays by value", () => {
    const v = new Variable(np.array([1, 2]), { name: "v" });
    const c = np.array([10, 20]);
    const f = trace((x) => x.add(v).add(c), [placeholder([2], "float32", "x")]);
    const x = np.zeros([2]);
    expect((f(x) as np.NDArray).toArray()).toEqual([11, 22]);
    v.assign(np.array([5, 5]));
    (c.buffer as Float32Array).fill(0);
    expect((f(x) as np.NDArray).toArray()).toEqual([15, 25]);
  });

  it("follows detached views of recorded values (softmax's stabilising max) instead of baking them", () => {
    const fns = [
      (x: np.NDArray) => np.softmax(x),
      (x: np.NDArray) => np.logSoftmax(x),
      (x: np.NDArray) => np.logsumexp(x, -1),
    ];
    for (const fn of fns) {
      const f = trace(fn, [placeholder([2, 3], "float32", "x")]);
      for (const seed of [1, 2, 3]) {
        const x = new np.Random(seed).normal([2, 3], 0, 5, "float32");
        expect((f(x) as np.NDArray).toTypedArray()).toEqual(fn(x).toTypedArray());
      }
    }
  });

  it("refuses Variable assignments while tracing, and restores the value", () => {
    const w = new Variable(np.array([1, 2]), { name: "w" });
    const opt = new SGD([w], { lr: 0.1 });
    expect(() =>
      trace(
        (x) => {
          const loss = np.sum(w.mul(x));
          opt.minimize(() => np.sum(w.mul(x)));
          return loss;
        },
        [np.ones([2])],
      ),
    ).toThrow(/Variable 'w' was assigned while tracing/);
    expect(w.toArray()).toEqual([1, 2]);
  });

  it("fails at trace time, naming the primitive, for ops without a kernel", () => {
    const square = customGrad((x) => ({ value: x.mul(x), grad: (dy) => dy.mul(x).mul(2) }));
    expect(() => trace((x) => square(x).add(1), [np.ones([2])])).toThrow(
      /cannot run node %\d+: primitive 'customGrad'/,
    );
  });

  it("runs primitives from definePrimitive with their own kernel, and differentiates through them", () => {
    const cube = np.definePrimitive<{ scale: number }>({
      name: "scaledCube",
      output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
      kernel: ([x], { scale }, out) => {
        const src = x!.dataSync();
        for (let i = 0; i < src.length; i++) out.buffer[i] = scale * src[i]! ** 3;
      },
      vjp: (g, [x], _y, { scale }) => [
        g
          .mul(x!)
          .mul(x!)
          .mul(3 * scale),
      ],
    });
    const f = trace(
      (x) => {
        const y = cube([x.add(1)], { scale: 2 });
        return { y, g: gradients(np.sum(y), [x])[0]! };
      },
      [placeholder([3], "float64", "x")],
    );
    const out = f(np.array([0, 1, -1], { dtype: "float64" }));
    expect(out.y.toArray()).toEqual([2, 16, 0]);
    expect(out.g.toArray()).toEqual([6, 24, 0]);
    expect(f.graph.toString()).toMatch(/= scaledCube\(%\d+\) \{scale=2\}/);
  });

  it("bakes JS-side values in, as jax.jit does", () => {
    const f = trace((x) => (x.sum().item() > 0 ? x.mul(2) : x.neg()), [np.ones([2])]);
    expect((f(np.array([-1, -1])) as np.NDArray).toArray()).toEqual([-2, -2]); // the branch of the example
  });
});

describe("gradients and training inside the graph", () => {
  it("gradients() equals a GradientTape inside the traced function", () => {
    const w = new Variable(np.array([0.5, -1, 2]), { name: "w" });
    const f = trace(
      (x) => {
        const tape = new GradientTape();
        const loss = tape.record(() => np.sum(np.tanh(x.mul(w)).square()));
        return { symbolic: gradients(loss, [w])[0]!, taped: tape.gradient(loss, w)! };
      },
      [placeholder([3], "float32", "x")],
    );
    const out = f(np.array([1, 2, 3]));
    expect(out.symbolic.toTypedArray()).toEqual(out.taped.toTypedArray());
    expect(gradients.length).toBeGreaterThan(0);
  });

  it("refuses gradients() and minimize outside a trace", () => {
    expect(() => gradients(np.ones([]), [np.ones([])])).toThrow(
      /only works while a function is being traced/,
    );
    expect(() => new GradientDescentOptimizer(0.1).minimize(np.ones([]))).toThrow(GraphError);
  });

  it("compileTrainStep trains a linear regression", () => {
    const w = new Variable(np.zeros([2, 1]), { name: "w" });
    const b = new Variable(np.zeros([1]), { name: "b" });
    const step = compileTrainStep({
      loss: (x, y) => np.mean(np.square(np.matmul(x, w).add(b).sub(y))),
      inputs: [placeholder([8, 2], "float32", "x"), placeholder([8, 1], "float32", "y")],
      optimizer: new SGD([w, b], { lr: 0.1 }),
    });
    const rng = new np.Random(0);
    let loss = Infinity;
    for (let i = 0; i < 300; i++) {
      const x = rng.normal([8, 2], 0, 1, "float32");
      const y = np.matmul(x, np.array([[2], [-3]])).add(0.5);
      loss = step(x, y).loss.item();
    }
    expect(loss).toBeLessThan(1e-6);
    expect(w.toArray()).toEqual([[expect.closeTo(2, 3)], [expect.closeTo(-3, 3)]]);
    expect(b.item()).toBeCloseTo(0.5, 3);
  });

  it("minimize accepts any optimizer with params and step", () => {
    const w = new Variable(np.array([1]), { name: "w" });
    const seen: (np.NDArray | null)[][] = [];
    const opt = { params: [w], step: (g: readonly (np.NDArray | null)[]) => void seen.push([...g]) };
    const f = trace((x) => ({ train: minimize(np.sum(w.mul(x)), opt) }), [np.ones([1])]);
    f(np.array([3]));
    expect(seen[0]![0]!.toArray()).toEqual([3]);
    expect(f.graph.toString()).toMatch(/#0 Object\.step: w ← %\d+/);
  });

  it("runs the original code under a GradientTape, so the tape sees the ops", () => {
    const w = new Variable(np.array([3]), { name: "w" });
    const f = trace((x) => x.mul(w).square(), [placeholder([1], "float32", "x")]);
    const tape = new GradientTape();
    const y = tape.record(() => f(np.array([2])) as np.NDArray);
    expect(tape.gradient(y, w)!.toArray()).toEqual([24]);
    const step = compileTrainStep({
      loss: (x) => np.sum(x.mul(w)),
      inputs: [np.ones([1])],
      optimizer: new GradientDescentOptimizer(0.1),
    });
    expect(() => new GradientTape().record(() => step(np.ones([1])))).toThrow(
      /call traced training steps outside tapes/,
    );
  });

  it("inlines a traced function called while tracing, so its ops are recorded", () => {
    const w = new Variable(np.array([2]), { name: "w" });
    const inner = trace((x) => x.mul(w), [np.ones([1])]);
    const outer = trace(
      (x) => {
        const y = inner(x) as np.NDArray;
        return { y, g: gradients(np.sum(y), [w])[0]! };
      },
      [np.ones([1])],
    );
    const out = outer(np.array([5]));
    expect(out.y.toArray()).toEqual([10]);
    expect(out.g.toArray()).toEqual([5]);
  });
});
