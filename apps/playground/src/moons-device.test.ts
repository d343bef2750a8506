// The device run (moonsNetwork's Variables on the device, a tape, SGD by assign) on the js backend here;
// the browser test runs it on webgpu. It must learn what the traced host run learns, step for step.
import { describe, expect, it } from "vitest";
import { createMoonsRun, DEFAULT_MOONS } from "./moons-core";
import { createDeviceMoonsRun } from "./moons-device";

describe("the moons run for device backends", () => {
  it("follows the traced host run: the same losses to float32 rounding", async () => {
    const config = { ...DEFAULT_MOONS, hidden: [5, 7], seed: 4, batchSize: 16, lr: 0.5 };
    const device = createDeviceMoonsRun(config);
    const host = createMoonsRun(config);
    for (let i = 0; i < 5; i++) expect(await device.steps(4)).toBeCloseTo(host.steps(4), 4);
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
