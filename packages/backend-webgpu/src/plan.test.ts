// Traced graphs on the GPU: the plan's buffers, feeds and updates stay in device memory, and a traced
// training step gives what the same step gives on the js backend.
import { describe, expect, it } from "vitest";
import * as np from "@chainrule/ndarray";
import { Variable } from "@chainrule/autograd";
import { GradientDescentOptimizer, gradients, placeholder, trace } from "@chainrule/graph";
import { values, webgpu } from "./test-helpers";

function model() {
  const param = (shape: number[], seed: number, name: string) =>
    new Variable(
      np.array(values(shape[0]! * (shape[1] ?? 1), seed, -0.5, 0.5), { dtype: "float32" }).reshape(shape),
      {
        name,
      },
    );
  const params = [param([4, 8], 1, "W1"), param([8], 2, "b1"), param([8, 3], 3, "W2"), param([3], 4, "b2")];
  const [W1, b1, W2, b2] = params as [Variable, Variable, Variable, Variable];
  const loss = (x: np.NDArray, y: np.NDArray) =>
    np.mean(
      np.square(
        np
          .matmul(np.tanh(np.matmul(x, W1).add(b1)), W2)
          .add(b2)
          .sub(y),
      ),
    );
  return { params, loss };
}

const batch = (seed: number) => ({
  x: np.array(values(5 * 4, seed), { dtype: "float32" }).reshape([5, 4]),
  y: np.array(values(5 * 3, seed + 100), { dtype: "float32" }).reshape([5, 3]),
});

/** The model's SGD step, traced. */
function sgdStep(params: Variable[], loss: (x: np.NDArray, y: np.NDArray) => np.NDArray) {
  return trace(
    (x, y) => {
      const l = loss(x, y);
      return { loss: l, train: new GradientDescentOptimizer(0.1).minimize(l, params) };
    },
    [placeholder([5, 4], "float32", "x"), placeholder([5, 3], "float32", "y")],
  );
}

/** Three traced SGD steps on the current backend: the losses, then the parameters. */
async function train(): Promise<{
  losses: number[];
  params: Float32Array[];
  plan: string;
  onDevice: boolean;
}> {
  const { params, loss } = model();
  const step = sgdStep(params, loss);
  const losses: number[] = [];
  let onDevice = false;
  for (let k = 0; k < 3; k++) {
    const { x, y } = batch(k);
    const out = step(x, y);
    onDevice = out.loss.onDevice;
    losses.push((await out.loss.data())[0]!);
  }
  const read = await Promise.all(params.map((p) => p.data()));
  return { losses, params: read as Float32Array[], plan: step.plan().toString(), onDevice };
}

describe("traced graphs on webgpu", () => {
  it("train like the js backend, with every planned buffer on the device", async () => {
    const previous = np.getBackend();
    try {
      np.setBackend(np.jsBackend);
      const want = await train();
      np.setBackend(await webgpu());
      const got = await train();
      expect(got.onDevice).toBe(true);
      expect(got.plan).toMatch(/^plan on 'webgpu'/);
      expect(got.plan).toMatch(/= fused\[.*\] \(webgpu\)\(/); // one shader per fused group
      got.losses.forEach((l, k) => expect(l).toBeCloseTo(want.losses[k]!, 5));
      got.params.forEach((p, k) => {
        const w = want.params[k]!;
        for (let i = 0; i < w.length; i++) expect(Math.abs(p[i]! - w[i]!)).toBeLessThan(1e-5);
      });
      expect(want.losses[2]!).toBeLessThan(want.losses[0]!);
    } finally {
      np.setBackend(previous);
    }
  });

  it("computes traced gradients (order 2 through gradients of gradients) as on js", async () => {
    const f = (x: np.NDArray) => {
      const y = np.sum(np.mul(np.tanh(x), np.exp(x)));
      const [g] = gradients(y, [x]);
      return { g, h: gradients(np.sum(np.square(g!)), [x])[0] };
    };
    const run = async () => {
      const t = trace(f, [placeholder([6], "float32", "x")]);
      const out = t(np.array(values(6, 9, -1, 1), { dtype: "float32" }));
      return Promise.all([out.g!.data(), out.h!.data()]);
    };
    const previous = np.getBackend();
    try {
      np.setBackend(np.jsBackend);
      const want = await run();
      np.setBackend(await webgpu());
      const got = await run();
      for (let r = 0; r < 2; r++)
        for (let i = 0; i < 6; i++)
          expect(Math.abs(got[r]![i]! - want[r]![i]!)).toBeLessThan(1e-4 * (1 + Math.abs(want[r]![i]!)));
    } finally {
      np.setBackend(previous);
    }
  });

  it("submits a whole training step to the GPU queue at once, when its loss is read", async () => {
    const previous = np.getBackend();
    const backend = await webgpu();
    const queue = backend.gpu.queue;
    const submit = queue.submit;
    let submissions = 0;
    try {
      np.setBackend(backend);
      const { params, loss } = model();
      const step = sgdStep(params, loss);
      const { x, y } = batch(0);
      await step(x, y).loss.data(); // the first run uploads the feeds' first copies and compiles shaders
      queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
        submissions++;
        submit.call(queue, buffers);
      };
      const out = step(x, y);
      expect(submissions).toBe(0); // recorded, not yet submitted
      await out.loss.data();
      // One submission for the step's kernels and writes, one for the copy that reads the loss back.
      expect(submissions).toBe(2);
      expect(step.plan().stats.kernelLaunches).toBeGreaterThan(10);
    } finally {
      queue.submit = submit;
      np.setBackend(previous);
    }
  });

  it("says so when a Variable lives in host memory", async () => {
    const w = new Variable(np.ones([3], "float32"), { name: "w" });
    const previous = np.getBackend();
    try {
      np.setBackend(await webgpu());
      expect(() => trace((x) => np.sum(np.mul(x, w)), [placeholder([3], "float32", "x")])).toThrow(
        "graph: Variable 'w' lives in host memory but the plan runs on the 'webgpu' backend",
      );
    } finally {
      np.setBackend(previous);
    }
  });
});
