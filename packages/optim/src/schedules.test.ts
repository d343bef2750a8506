import { describe, expect, it } from "vitest";
import { cosineDecay, exponentialDecay, linearWarmup, stepDecay } from "./index";

describe("learning-rate schedules (t = 1 is the first update)", () => {
  it("stepDecay: initial · factor^⌊(t−1)/dropEvery⌋", () => {
    const s = stepDecay({ initial: 0.1, dropEvery: 10, factor: 0.5 });
    expect([1, 10, 11, 20, 21, 31].map(s)).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
  });

  it("exponentialDecay: initial · rate^((t−1)/decaySteps), smooth or staircase", () => {
    const smooth = exponentialDecay({ initial: 0.1, decayRate: 0.96, decaySteps: 100 });
    expect(smooth(1)).toBe(0.1);
    expect(smooth(51)).toBeCloseTo(0.1 * Math.sqrt(0.96), 15);
    expect(smooth(201)).toBeCloseTo(0.1 * 0.96 * 0.96, 15);
    const stairs = exponentialDecay({ initial: 0.1, decayRate: 0.96, decaySteps: 100, staircase: true });
    expect([1, 100, 101, 250].map(stairs)).toEqual([0.1, 0.1, 0.1 * 0.96, 0.1 * 0.96 ** 2]);
  });

  it("cosineDecay: from initial down to alpha·initial over decaySteps, then flat", () => {
    const s = cosineDecay({ initial: 1, decaySteps: 100, alpha: 0.1 });
    expect(s(1)).toBe(1);
    expect(s(51)).toBeCloseTo(0.9 * 0.5 * (1 + Math.cos(Math.PI / 2)) + 0.1, 15); // 0.55
    expect(s(26)).toBeCloseTo(0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)) + 0.1, 15);
    expect(s(101)).toBeCloseTo(0.1, 15);
    expect(s(500)).toBeCloseTo(0.1, 15);
  });

  it("linearWarmup of a number: target·(s + (1 − s)·t/W), then the number", () => {
    const s = linearWarmup(0.01, { warmupSteps: 4 });
    expect([1, 2, 3, 4, 5, 100].map(s)).toEqual([0.0025, 0.005, 0.0075, 0.01, 0.01, 0.01]);
    const from = linearWarmup(1, { warmupSteps: 10, startFactor: 0.5 });
    expect(from(1)).toBeCloseTo(0.55, 15);
    expect(from(10)).toBe(1);
  });

  it("linearWarmup of a schedule: the schedule starts from its own t = 1 when warm-up ends", () => {
    const cos = cosineDecay({ initial: 0.1, decaySteps: 100 });
    const s = linearWarmup(cos, { warmupSteps: 10 });
    expect(s(5)).toBeCloseTo(0.1 * 0.5, 15);
    expect(s(10)).toBeCloseTo(0.1, 15);
    expect(s(11)).toBe(cos(1));
    expect(s(60)).toBe(cos(50));
  });

  it("rejects non-positive step counts", () => {
    expect(() => stepDecay({ initial: 1, dropEvery: 0, factor: 0.5 })).toThrow(/dropEvery/);
    expect(() => cosineDecay({ initial: 1, decaySteps: -1 })).toThrow(/decaySteps/);
  });
});
