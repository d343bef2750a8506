// minimize() hands the gradients back to the buffer pool once applied, and training gives the same weights
// bit for bit with reuse on and off.
import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { Adam, SGD } from "./index";

/** A 4-64-1 tanh network on fixed data, `steps` updates; the weights afterwards. */
function train(make: (params: Variable[]) => SGD | Adam, steps: number, tidy: boolean): Float32Array[] {
  const rng = new np.Random(7);
  const w1 = new Variable(rng.normal([4, 64], 0, 0.5), { name: "w1" });
  const w2 = new Variable(rng.normal([64, 1], 0, 0.5), { name: "w2" });
  const x = rng.normal([32, 4]);
  const t = np.sin(np.sum(x, 1, true));
  const opt = make([w1, w2]);
  const loss = () => np.mean(np.square(np.matmul(np.tanh(np.matmul(x, w1)), w2).sub(t)));
  for (let i = 0; i < steps; i++) {
    if (tidy) np.tidy(() => opt.minimize(loss).item());
    else opt.minimize(loss).item();
  }
  return [w1, w2].map((w) => w.toTypedArray() as Float32Array);
}

describe("minimize and the buffer pool", () => {
  it("releases the gradients once applied; the loss survives", () => {
    const w = new Variable(np.arange(0, 300, 1, "float32").mul(0.01), { name: "w" });
    const opt = new SGD([w], { lr: 0.1 });
    const released = np.poolStats().released;
    const loss = opt.minimize(() => np.sum(np.square(w)));
    expect(np.poolStats().released).toBeGreaterThan(released);
    expect(loss.isDisposed).toBe(false);
    // Σ(0.01 i)² for i < 300, by hand.
    let ref = 0;
    for (let i = 0; i < 300; i++) ref += (0.01 * i) ** 2;
    expect(loss.item()).toBeCloseTo(ref, 2);
  });

  it.each([
    ["SGD with momentum", (p: Variable[]) => new SGD(p, { lr: 0.05, momentum: 0.9 })],
    ["Adam, clipNorm", (p: Variable[]) => new Adam(p, { lr: 0.01, clipNorm: 0.5 })],
  ])("%s trains to the same weights bit for bit with reuse on and off", (_, make) => {
    np.setPoolLimit(0);
    const fresh = train(make, 30, false);
    np.setPoolLimit(256 * 1024 * 1024);
    const reused = np.poolStats().reused;
    const plain = train(make, 30, false);
    const tidied = train(make, 30, true);
    expect(np.poolStats().reused - reused).toBeGreaterThan(30);
    expect(plain).toEqual(fresh);
    expect(tidied).toEqual(fresh);
  });
});
