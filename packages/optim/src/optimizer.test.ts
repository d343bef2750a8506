import { GradientTape, Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import {
  Adagrad,
  Adam,
  AdamW,
  cosineDecay,
  linearWarmup,
  RMSProp,
  SGD,
  stateFromJSON,
  stateToJSON,
  type Optimizer,
} from "./index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });

describe("Optimizer.minimize", () => {
  it("records the loss, differentiates, steps, and drives a quadratic to its minimum", () => {
    // f(w) = Σ (w − c)², minimum at c
    const c = f64([3, -1]);
    const w = new Variable(f64([0, 0]), { name: "w" });
    const opt = new SGD([w], { lr: 0.1 });
    const first = opt.minimize(() => np.sum(np.square(w.sub(c)))).item();
    let last = first;
    for (let i = 0; i < 100; i++) last = opt.minimize(() => np.sum(np.square(w.sub(c)))).item();
    expect(first).toBe(10);
    expect(last).toBeLessThan(1e-15);
    expect([...w.dataSync()]).toEqual([3, -1].map((v) => expect.closeTo(v, 7)));
    expect(opt.iterations).toBe(101);
  });

  it("leaves non-trainable parameters alone by default, and updates only the vars it is given", () => {
    const a = new Variable(f64(1), { name: "a" });
    const frozen = new Variable(f64(1), { name: "frozen", trainable: false });
    const opt = new SGD([a, frozen], { lr: 0.5 });
    opt.minimize(() => a.mul(frozen).mul(2)); // d/da = 2·frozen = 2, d/dfrozen = 2a = 2
    expect([a.item(), frozen.item()]).toEqual([0, 1]);
    opt.minimize(() => a.add(frozen.mul(3)), [frozen]); // explicit: frozen is watched and updated
    expect([a.item(), frozen.item()]).toEqual([0, -0.5]);
    const b = new Variable(f64(1), { name: "b" });
    expect(() => opt.minimize(() => b.mul(1), [b])).toThrow(
      /Variable 'b' is not one of this optimizer's parameters/,
    );
  });

  it("gives Adam the same first update as a hand-computed step from the tape's gradient", () => {
    const w = new Variable(f64([1, 2]), { name: "w" });
    new Adam([w], { lr: 0.1 }).minimize(() => np.sum(w.mul(w))); // g = 2w
    expect([...w.dataSync()]).toEqual([1 - (0.1 * 2) / (2 + 1e-8), 2 - (0.1 * 4) / (4 + 1e-8)]);
  });
});

describe("step / applyGradients", () => {
  it("step takes tape.gradient's result as it is (null for an unconnected parameter)", () => {
    const w = new Variable(f64([1, 2]), { name: "w" });
    const unused = new Variable(f64([5]), { name: "unused" });
    const opt = new SGD([w, unused], { lr: 0.25 });
    const tape = new GradientTape();
    const loss = tape.record(() => np.sum(w.mul(w)));
    opt.step(tape.gradient(loss, [w, unused]));
    expect([...w.dataSync(), unused.item()]).toEqual([0.5, 1, 5]);
  });

  it("applyGradients takes [grad, variable] pairs in any order and skips nulls", () => {
    const a = new Variable(f64([1]), { name: "a" });
    const b = new Variable(f64([1]), { name: "b" });
    const opt = new SGD([a, b], { lr: 1 });
    opt.applyGradients([
      [f64([0.25]), b],
      [null, a],
    ]);
    expect([a.item(), b.item()]).toEqual([1, 0.75]);
  });

  it("errors name the parameter and both shapes, and nothing is updated", () => {
    const a = new Variable(f64([1, 2]), { name: "a" });
    const b = new Variable(f64([[1, 2, 3]]), { name: "bias" });
    const opt = new Adam([a, b]);
    expect(() => opt.step([f64([1])])).toThrow("Adam.step: got 1 gradients for 2 parameters");
    expect(() => opt.step([f64([1, 1]), f64([1, 2, 3])])).toThrow(
      "Adam.step: the gradient for parameter 'bias' (#1) has shape [3], the parameter has shape [1, 3]",
    );
    expect([...a.dataSync()]).toEqual([1, 2]);
    expect(opt.iterations).toBe(0);
    expect(() => opt.applyGradients([[f64([1, 1]), new Variable(f64([1, 1]), { name: "x" })]])).toThrow(
      /'x' is not one of/,
    );
  });

  it("rejects integer Variables and repeated parameters", () => {
    const i = new Variable(np.array([1, 2], { dtype: "int32" }), { name: "counts" });
    expect(() => new SGD([i], { lr: 1 })).toThrow(/'counts' \(#0\) has dtype int32/);
    const w = new Variable(f64([1]), { name: "w" });
    expect(() => new SGD([w, w], { lr: 1 })).toThrow(/listed twice/);
  });

  it("rejects a negative, NaN or infinite learning rate, also one a schedule returns", () => {
    const w = new Variable(f64([1]), { name: "w" });
    expect(() => new Adam([w], { lr: -0.001 })).toThrow(
      new RangeError("Adam: options.lr must be a finite number >= 0, got -0.001"),
    );
    expect(() => new SGD([w], { lr: NaN })).toThrow(
      new RangeError("SGD: options.lr must be a finite number >= 0, got NaN"),
    );
    expect(() => new RMSProp([w], { lr: Infinity })).toThrow(/RMSProp: options.lr .* got Infinity/);
    expect(() => new SGD([w], { lr: "0.1" as unknown as number })).toThrow(/a number or a schedule/);
    const opt = new SGD([w], { lr: (t) => (t === 2 ? NaN : 0.5) });
    opt.step([f64([1])]);
    expect(() => opt.step([f64([1])])).toThrow(
      "SGD: the learning rate for update 2 must be a finite number >= 0, got NaN",
    );
    expect(w.item()).toBe(0.5); // the rejected update changed nothing
    expect(() => new SGD([w], { lr: 0 })).not.toThrow();
  });

  it("feeds the schedule t = 1, 2, … and reports the next rate", () => {
    const w = new Variable(f64([0]), { name: "w" });
    const opt = new SGD([w], { lr: (t) => t / 10 });
    expect(opt.learningRate).toBe(0.1);
    opt.step([f64([1])]); // lr 0.1
    opt.step([f64([1])]); // lr 0.2
    expect(w.item()).toBeCloseTo(-0.3, 15);
    expect(opt.learningRate).toBeCloseTo(0.3, 15);
  });

  it("updates float32 Variables in place (state stays float64)", () => {
    const w = new Variable([1, 2], { name: "w" });
    const buffer = w.buffer;
    new Adam([w], { lr: 0.5 }).step([np.array([1, -1])]);
    expect(w.dtype).toBe("float32");
    expect(w.buffer).toBe(buffer);
    expect([...w.dataSync()]).toEqual([Math.fround(0.5 + 5e-9), Math.fround(2.5 - 5e-9)]);
  });
});

describe("stateDict / loadStateDict", () => {
  const X = f64([
    [1, 2],
    [-1, 0.5],
    [0.3, -2],
  ]);
  const Y = f64([[1], [-1], [0.5]]);

  // Fresh weights every time (same values), so two runs can be compared.
  const model = () => [
    new Variable(f64([[0.1], [-0.2]]), { name: "W" }),
    new Variable(f64([0.05]), { name: "b" }),
  ];
  const loss =
    ([W, b]: Variable[]) =>
    () =>
      np.mean(np.square(np.tanh(np.matmul(X, W!).add(b!)).sub(Y)));

  const makers: [string, (p: Variable[]) => Optimizer][] = [
    ["SGD+Nesterov", (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
    [
      "Adam",
      (p) =>
        new Adam(p, { lr: linearWarmup(cosineDecay({ initial: 0.05, decaySteps: 20 }), { warmupSteps: 3 }) }),
    ],
    ["AdamW", (p) => new AdamW(p, { lr: 0.05, clipNorm: 0.5 })],
    ["RMSProp", (p) => new RMSProp(p, { lr: 0.01, momentum: 0.5, centered: true })],
    ["Adagrad", (p) => new Adagrad(p, { lr: 0.1, initialAccumulatorValue: 0.1, clipValue: 0.3 })],
  ];

  it.each(makers)(
    "%s: save after 7 steps, restore into a fresh optimizer, continue: bit-identical",
    (_, make) => {
      const ref = model();
      const refOpt = make(ref);
      for (let i = 0; i < 15; i++) refOpt.minimize(loss(ref));

      const first = model();
      const firstOpt = make(first);
      for (let i = 0; i < 7; i++) firstOpt.minimize(loss(first));
      // A new process: weights and optimizer state come back through JSON.
      const saved = JSON.stringify({
        weights: first.map((v) => v.toArray()),
        opt: stateToJSON(firstOpt.stateDict()),
      });
      const { weights, opt } = JSON.parse(saved);
      const resumed = model();
      resumed.forEach((v, i) => v.assign(f64(weights[i])));
      const resumedOpt = make(resumed);
      resumedOpt.loadStateDict(stateFromJSON(opt));
      expect(resumedOpt.iterations).toBe(7);
      for (let i = 0; i < 8; i++) resumedOpt.minimize(loss(resumed));

      resumed.forEach((v, i) => expect([...v.dataSync()]).toEqual([...ref[i]!.dataSync()]));
    },
  );

  it("stateDict copies: later steps do not change a saved state", () => {
    const p = model();
    const opt = new Adam(p);
    opt.minimize(loss(p));
    const s = opt.stateDict();
    const m = [...s.slots.m!.W!.dataSync()];
    opt.minimize(loss(p));
    expect([...s.slots.m!.W!.dataSync()]).toEqual(m);
    expect(Object.keys(s.slots.m!)).toEqual(["W", "b"]);
    expect(s.hyper).toEqual({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, lr: 1e-3 });
  });

  it("keys parameters by index when names repeat", () => {
    const p = [new Variable(f64([1])), new Variable(f64([2]))];
    expect(Object.keys(new Adam(p).stateDict().slots.v!)).toEqual(["0", "1"]);
  });

  it("restores hyperparameters (a numeric lr too)", () => {
    const p = model();
    const a = new Adam(p, { lr: 0.5, beta1: 0.8 });
    const b = new Adam(model());
    b.loadStateDict(a.stateDict());
    expect([b.lr, b.hyper.beta1]).toEqual([0.5, 0.8]);
  });

  it("explains what does not fit, before changing anything", () => {
    const p = model();
    const adam = new Adam(p);
    adam.minimize(loss(p));
    const state = adam.stateDict();
    const other = new Adam([
      new Variable(f64([[1, 2]]), { name: "W" }),
      new Variable(f64([0]), { name: "b" }),
    ]);
    expect(() => other.loadStateDict(state)).toThrow(
      "Adam.loadStateDict: slot 'm' for parameter 'W' (#0) has shape [2, 1], the parameter has shape [1, 2]",
    );
    expect(other.iterations).toBe(0);
    expect(() => new SGD(model(), { lr: 1, momentum: 0.9 }).loadStateDict(state)).toThrow(
      /slot 'm' that SGD does not keep .*momentum/,
    );
    const renamed = [
      new Variable(f64([[0], [0]]), { name: "kernel" }),
      new Variable(f64([0]), { name: "b" }),
    ];
    expect(() => new Adam(renamed).loadStateDict(state)).toThrow(
      /slot 'm' has no entry for parameter 'kernel'/,
    );
  });
});
