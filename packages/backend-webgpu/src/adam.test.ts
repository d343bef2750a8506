// The fused Adam/AdamW update (one shader per parameter) against optim's reference loop on the js
// backend, over several training steps on device-resident Variables.
import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { Adam, AdamW, Optimizer } from "@chainrule/optim";
import { describe, expect, it } from "vitest";
import { webgpu, values } from "./test-helpers";
import type { WebGpuBackend } from "./index";

type Make = (params: Variable[]) => Adam | AdamW;

/** Trains w [5, 3] and b [3] for `steps` steps of a small regression; returns the final values. */
async function train(backend: np.Backend, make: Make, steps: number): Promise<number[][]> {
  const previous = np.getBackend();
  np.setBackend(backend);
  try {
    const w = new Variable(np.array(values(15, 1, -1, 1), { dtype: "float32" }).reshape(5, 3), { name: "w" });
    const b = new Variable(np.array(values(3, 2), { dtype: "float32" }), { name: "b" });
    const x = np.array(values(20, 3), { dtype: "float32" }).reshape(4, 5);
    const y = np.array(values(12, 4), { dtype: "float32" }).reshape(4, 3);
    const opt = make([w, b]);
    for (let s = 0; s < steps; s++) {
      opt.minimize(() => np.mean(np.square(np.sub(np.tanh(np.add(np.matmul(x, w), b)), y))));
    }
    if (backend.device) expect(w.onDevice && b.onDevice).toBe(true);
    return [Array.from(await w.data()), Array.from(await b.data())];
  } finally {
    np.setBackend(previous);
  }
}

const OPTIMIZERS: [string, Make][] = [
  ["Adam", (p) => new Adam(p, { lr: 0.05 })],
  ["Adam with L2", (p) => new Adam(p, { lr: 0.05, weightDecay: 0.1 })],
  ["AdamW", (p) => new AdamW(p, { lr: 0.05, weightDecay: 0.1, beta1: 0.8, beta2: 0.99 })],
];

function expectClose(got: number[][], want: number[][], tol: number): void {
  got.forEach((g, k) =>
    g.forEach((v, i) => {
      if (Math.abs(v - want[k]![i]!) > tol) expect.fail(`param ${k}[${i}]: webgpu ${v}, js ${want[k]![i]}`);
    }),
  );
}

describe("fused Adam on webgpu", () => {
  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: 8 steps on device Variables match optim's reference loop on js`, async () => {
      const gpu = await webgpu();
      const want = await train(np.jsBackend, make, 8);
      const start = await train(np.jsBackend, make, 0);
      const got = await train(gpu, make, 8);
      expectClose(got, want, 2e-5);
      // The test can fail: the parameters moved far more than the tolerance.
      expect(Math.abs(want[0]![0]! - start[0]![0]!)).toBeGreaterThan(0.1);
    });

    it(`${name}: the array-op fallback (a device backend without the fused kernel) agrees too`, async () => {
      const gpu = await webgpu();
      const plain: WebGpuBackend = { ...gpu, fused: {} };
      expectClose(await train(plain, make, 8), await train(np.jsBackend, make, 8), 2e-5);
    });
  }

  it("runs one kernel per parameter: the fused slot is what Adam calls", async () => {
    const gpu = await webgpu();
    let calls = 0;
    const counted: WebGpuBackend = {
      ...gpu,
      fused: { adamOnDevice: (s) => (calls++, gpu.fused!.adamOnDevice!(s)) },
    };
    await train(counted, (p) => new Adam(p, { lr: 0.05 }), 3);
    expect(calls).toBe(6);
  });

  it("declines what it cannot run, and an optimizer without a device update says so", async () => {
    const gpu = await webgpu();
    const host = np.zeros([4], "float32");
    const s = { lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, decoupled: false, step: 1 };
    expect(gpu.fused!.adamOnDevice!({ param: host, grad: host, m: host, v: host, ...s })).toBe(false);
    const previous = np.getBackend();
    np.setBackend(gpu);
    try {
      const w = new Variable(np.ones([3], "float32"), { name: "w" });
      // An optimizer written with a host update only (every built-in one has a device update too).
      class HostOnly extends Optimizer {
        constructor(params: Variable[]) {
          super("HostOnly", params, { lr: 0.1 }, undefined, {}, []);
        }
        protected update(): void {}
      }
      expect(() => new HostOnly([w]).step([np.ones([3], "float32")])).toThrow(
        /HostOnly: parameter 'w' lives on the 'webgpu' backend, where HostOnly has no update \(override updateOnDevice\)/,
      );
    } finally {
      np.setBackend(previous);
    }
  });
});

describe("Variables on webgpu", () => {
  it("live on the device: assign numbers, host and device values, views of themselves; read snapshots", async () => {
    const previous = np.getBackend();
    np.setBackend(await webgpu());
    try {
      const v = new Variable(np.array([1, 2, 3, 4], { dtype: "float32" }), { name: "v" });
      expect(v.onDevice).toBe(true);
      const snap = v.read();
      v.assign(2.5);
      expect(Array.from(await v.data())).toEqual([2.5, 2.5, 2.5, 2.5]);
      v.assign(np.array([5, 6, 7, 8], { dtype: "int32" })); // a host value, converted
      v.assign(np.slice(np.mul(v, 2), "::-1")); // a device value, strided
      expect(Array.from(await v.data())).toEqual([16, 14, 12, 10]);
      v.assign(np.slice(v, "::-1")); // a view of itself: copied first
      expect(Array.from(await v.data())).toEqual([10, 12, 14, 16]);
      expect(Array.from(await snap.data())).toEqual([1, 2, 3, 4]);
      expect(() => v.assign(np.ones([3], "float32"))).toThrow(/'v' has shape \[4\], the value has \[3\]/);
      np.setBackend(np.jsBackend);
      expect(() => v.assign(1)).toThrow(/'v' lives on the 'webgpu' backend; make it the current one/);
    } finally {
      np.setBackend(previous);
    }
  });
});

describe("gradient clipping on webgpu", () => {
  it("clipNorm and clipValue run on the device (no read back) and match optim's host path on js", async () => {
    const gpu = await webgpu();
    const clipped: Make = (p) => new AdamW(p, { lr: 0.05, clipNorm: 0.05, clipValue: 0.004 });
    const plain: Make = (p) => new AdamW(p, { lr: 0.05 });
    const want = await train(np.jsBackend, clipped, 6);
    const got = await train(gpu, clipped, 6);
    expectClose(got, want, 2e-5);
    // The test can fail: clipping changed the trajectory by far more than the tolerance.
    const unclipped = await train(np.jsBackend, plain, 6);
    const moved = Math.max(...want.flat().map((v, i) => Math.abs(v - unclipped.flat()[i]!)));
    expect(moved).toBeGreaterThan(1e-3);
  });
});
