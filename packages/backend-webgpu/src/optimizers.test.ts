// SGD, RMSProp and Adagrad on device-resident Variables: the fused shaders (optimizers.ts) and optim's
// array-op fallback, against optim's reference loops on the js backend and against a naive float64 loop.
import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { Adagrad, RMSProp, SGD, type Optimizer } from "@chainrule/optim";
import { describe, expect, it } from "vitest";
import { loss, model, on } from "./optimizer-fixture";
import { webgpu } from "./test-helpers";
import type { WebGpuBackend } from "./index";

type Make = (params: Variable[]) => Optimizer;

const OPTIMIZERS: [string, Make][] = [
  ["SGD", (p) => new SGD(p, { lr: 0.1 })],
  ["SGD + momentum + dampening + L2", (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.05 })],
  ["SGD + Nesterov", (p) => new SGD(p, { lr: 0.1, momentum: 0.8, nesterov: true })],
  ["RMSProp", (p) => new RMSProp(p, { lr: 0.01 })],
  ["RMSProp centered + momentum + L2", (p) => new RMSProp(p, { lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.1 })],
  ["Adagrad", (p) => new Adagrad(p, { lr: 0.1 })],
  ["Adagrad from 0.1 + L2", (p) => new Adagrad(p, { lr: 0.1, initialAccumulatorValue: 0.1, weightDecay: 0.1 })],
]; // prettier-ignore

/** `steps` steps of `make` on `backend`; the final weights. */
function train(backend: np.Backend, make: Make, steps: number): Promise<number[][]> {
  return on(backend, async () => {
    const params = model();
    const opt = make(params);
    for (let s = 0; s < steps; s++) opt.minimize(() => loss(params));
    if (backend.device) expect(params.every((p) => p.onDevice)).toBe(true);
    return Promise.all(params.map(async (p) => Array.from(await p.data())));
  });
}

function expectClose(got: number[][], want: number[][], tol: number, what: string): void {
  got.forEach((g, k) =>
    g.forEach((v, i) => {
      const ref = want[k]![i]!;
      if (!(Math.abs(v - ref) <= tol * Math.max(1, Math.abs(ref))))
        expect.fail(`${what}: param ${k}[${i}]: got ${v}, want ${ref}`);
    }),
  );
}

describe("SGD, RMSProp and Adagrad on webgpu", () => {
  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: 8 steps, fused and as array ops, match optim's loop on js`, async () => {
      const gpu = await webgpu();
      const want = await train(np.jsBackend, make, 8);
      const start = await train(np.jsBackend, make, 0);
      expectClose(await train(gpu, make, 8), want, 2e-5, "fused");
      expectClose(await train({ ...gpu, fused: {} }, make, 8), want, 2e-5, "array ops");
      // The test can fail: the weights moved far more than the tolerance.
      const moved = Math.max(...want.flat().map((v, i) => Math.abs(v - start.flat()[i]!)));
      expect(moved).toBeGreaterThan(0.01);
    });
  }

  it("each update is one kernel per parameter: the fused slots are what the optimizers call", async () => {
    const gpu = await webgpu();
    const calls: string[] = [];
    const f = gpu.fused!;
    const counted: WebGpuBackend = {
      ...gpu,
      fused: {
        sgdOnDevice: (s) => (calls.push("sgd"), f.sgdOnDevice!(s)),
        rmspropOnDevice: (s) => (calls.push("rmsprop"), f.rmspropOnDevice!(s)),
        adagradOnDevice: (s) => (calls.push("adagrad"), f.adagradOnDevice!(s)),
      },
    };
    for (const [, make] of [OPTIMIZERS[1]!, OPTIMIZERS[4]!, OPTIMIZERS[5]!]) await train(counted, make, 2);
    expect(calls).toEqual([
      ...Array(4).fill("sgd"),
      ...Array(4).fill("rmsprop"),
      ...Array(4).fill("adagrad"),
    ]);
  });

  it("reads nothing back while training (state and the step stay on the device)", async () => {
    const gpu = await webgpu();
    let reads = 0;
    const device = {
      ...gpu.device,
      read: (...a: Parameters<typeof gpu.device.read>) => (reads++, gpu.device.read(...a)),
    };
    const watched: WebGpuBackend = { ...gpu, device };
    await on(watched, () => {
      const params = model();
      for (const make of OPTIMIZERS.map(([, m]) => m)) {
        const opt = make(params);
        for (let s = 0; s < 3; s++) opt.minimize(() => loss(params));
      }
    });
    expect(reads).toBe(0);
  });

  it("declines host and float64 arrays", async () => {
    const gpu = await webgpu();
    const host = np.zeros([4], "float32");
    const f = gpu.fused!;
    const common = { param: host, grad: host, lr: 0.1, weightDecay: 0 };
    expect(f.sgdOnDevice!({ ...common, momentum: 0, dampening: 0, nesterov: false, first: true })).toBe(
      false,
    );
    expect(f.adagradOnDevice!({ ...common, sum: host, epsilon: 1e-10 })).toBe(false);
    expect(f.rmspropOnDevice!({ ...common, v: host, rho: 0.9, epsilon: 1e-8, momentum: 0 })).toBe(false);
  });
});

// A naive float64 loop over fixed gradients, written from the formulas (no code shared with optim).
const THETA0 = [0.5, -1.5, 2, 0.25];
const GRADS = [
  [0.3, -0.2, 1.5, -0.7],
  [-0.4, 0.1, 0.9, 0.2],
  [0.6, -0.8, -0.3, 0.05],
  [0.2, 0.4, -1.1, -0.6],
];

function naiveSgd(lr: number, mu: number, tau: number, nesterov: boolean, wd: number): number[] {
  const th = [...THETA0];
  const b = th.map(() => 0);
  GRADS.forEach((g, t) =>
    th.forEach((_, k) => {
      let d = g[k]! + wd * th[k]!;
      b[k] = t === 0 ? d : mu * b[k]! + (1 - tau) * d;
      d = nesterov ? d + mu * b[k]! : b[k]!;
      th[k] = th[k]! - lr * d;
    }),
  );
  return th;
}

function naiveRmsprop(lr: number, rho: number, mu: number, centered: boolean): number[] {
  const th = [...THETA0];
  const v = th.map(() => 0);
  const a = th.map(() => 0);
  const b = th.map(() => 0);
  for (const g of GRADS)
    th.forEach((_, k) => {
      v[k] = rho * v[k]! + (1 - rho) * g[k]! ** 2;
      a[k] = rho * a[k]! + (1 - rho) * g[k]!;
      const d = g[k]! / (Math.sqrt(centered ? v[k]! - a[k]! ** 2 : v[k]!) + 1e-8);
      b[k] = mu * b[k]! + d;
      th[k] = th[k]! - lr * (mu > 0 ? b[k]! : d);
    });
  return th;
}

function naiveAdagrad(lr: number, s0: number, wd: number): number[] {
  const th = [...THETA0];
  const s = th.map(() => s0);
  for (const g of GRADS)
    th.forEach((_, k) => {
      const d = g[k]! + wd * th[k]!;
      s[k] = s[k]! + d * d;
      th[k] = th[k]! - (lr * d) / (Math.sqrt(s[k]!) + 1e-10);
    });
  return th;
}

const CLOSED: [string, Make, () => number[]][] = [
  ["SGD momentum, dampening, L2", (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 0.1 }), () => naiveSgd(0.1, 0.9, 0.3, false, 0.1)],
  ["SGD Nesterov", (p) => new SGD(p, { lr: 0.1, momentum: 0.7, nesterov: true }), () => naiveSgd(0.1, 0.7, 0, true, 0)],
  ["RMSProp centered, momentum", (p) => new RMSProp(p, { lr: 0.05, rho: 0.8, centered: true, momentum: 0.6 }), () => naiveRmsprop(0.05, 0.8, 0.6, true)],
  ["RMSProp plain", (p) => new RMSProp(p, { lr: 0.05 }), () => naiveRmsprop(0.05, 0.9, 0, false)],
  ["Adagrad s0 0.1, L2", (p) => new Adagrad(p, { lr: 0.2, initialAccumulatorValue: 0.1, weightDecay: 0.2 }), () => naiveAdagrad(0.2, 0.1, 0.2)],
]; // prettier-ignore

describe("device updates vs the formulas in float64", () => {
  for (const [name, make, naive] of CLOSED) {
    it(`${name}: 4 steps from fixed gradients, fused and as array ops`, async () => {
      const gpu = await webgpu();
      const want = naive();
      for (const backend of [gpu, { ...gpu, fused: {} }]) {
        const got = await on(backend, async () => {
          const w = new Variable(np.array(THETA0, { dtype: "float32" }), { name: "w" });
          const opt = make([w]);
          for (const g of GRADS) opt.step([np.add(np.array(g, { dtype: "float32" }), 0)]); // on the device
          return Array.from(await w.data());
        });
        expectClose([got], [want], 1e-5, name);
      }
      expect(Math.max(...want.map((v, k) => Math.abs(v - THETA0[k]!)))).toBeGreaterThan(0.05);
    });
  }
});
