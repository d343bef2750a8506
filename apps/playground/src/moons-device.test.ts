// The device run's network is moonsNetwork written as a function of its weights: check it computes what the
// nn model computes, and that its training loop (here on the js backend; the browser test runs it on webgpu)
// learns the moons.
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { DEFAULT_MOONS, moonsNetwork } from "./moons-core";
import { createDeviceMoonsRun, forward, initialWeights } from "./moons-device";

describe("the moons run for device backends", () => {
  it("computes what moonsNetwork computes, from the same initial weights", () => {
    const config = { ...DEFAULT_MOONS, hidden: [5, 7], seed: 4 };
    const x = np.array(
      [
        [0.5, -0.25],
        [1.5, 0.75],
        [-1, 0.1],
      ],
      { dtype: "float32" },
    );
    const model = moonsNetwork(config.hidden, config.seed);
    expect(Array.from(forward(initialWeights(config), x).dataSync())).toEqual(
      Array.from(model.call(x).dataSync()),
    );
  });

  it("trains with mini-batches to ≥ 0.95 test accuracy", async () => {
    const run = createDeviceMoonsRun({ ...DEFAULT_MOONS, noise: 0.1, batchSize: 64, lr: 2 });
    expect(await run.testAccuracy()).toBeLessThan(0.95);
    const first = await run.steps(20);
    for (let i = 0; i < 15; i++) await run.steps(20);
    expect(run.stepsDone).toBe(320);
    expect(await run.steps(20)).toBeLessThan(first);
    expect(await run.testAccuracy()).toBeGreaterThanOrEqual(0.95);
    const grid = await run.grid(4);
    expect(grid).toHaveLength(16);
    for (const p of grid) expect(p > 0 && p < 1).toBe(true);
  });
});
