import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { BatchNorm1d, Dense, Dropout, Module, Sequential, StateDictError, manualSeed } from "./index";

class Block extends Module {
  fc = new Dense(3, { inputDim: 2, seed: 1 });
  norm = new BatchNorm1d(3);
  forward(x: np.NDArray) {
    return this.norm.call(this.fc.call(x));
  }
}

class Net extends Module {
  scale = new Variable(np.array([2], { dtype: "float32" }), { name: "scale" });
  blocks = [new Block(), new Block()];
  heads = {
    left: new Dense(1, { inputDim: 3, seed: 2 }),
    right: new Dense(1, { inputDim: 3, useBias: false, seed: 3 }),
  };
  constant = np.ones([3]); // a plain NDArray is not state
  config = { hidden: [3, 3], name: "net" }; // nor are numbers and strings
  forward(x: np.NDArray) {
    const h = this.blocks[1]!.call(this.blocks[0]!.call(x).matmul(np.eye(3, 2)));
    return this.heads.left.call(h).add(this.heads.right.call(h)).mul(this.scale);
  }
}

describe("Module: parameter discovery", () => {
  it("finds Variables in properties, submodules, arrays and plain objects, with dotted names in order", () => {
    const net = new Net();
    expect(net.namedVariables().map(([n]) => n)).toEqual([
      "scale",
      "blocks.0.fc.kernel",
      "blocks.0.fc.bias",
      "blocks.0.norm.gamma",
      "blocks.0.norm.beta",
      "blocks.0.norm.runningMean",
      "blocks.0.norm.runningVar",
      "blocks.1.fc.kernel",
      "blocks.1.fc.bias",
      "blocks.1.norm.gamma",
      "blocks.1.norm.beta",
      "blocks.1.norm.runningMean",
      "blocks.1.norm.runningVar",
      "heads.left.kernel",
      "heads.left.bias",
      "heads.right.kernel",
    ]);
    // Parameters are the trainable ones; buffers the rest.
    expect(net.namedParameters().map(([n]) => n)).not.toContain("blocks.0.norm.runningMean");
    expect(net.namedParameters()).toHaveLength(12);
    expect(net.namedBuffers().map(([n]) => n)).toEqual([
      "blocks.0.norm.runningMean",
      "blocks.0.norm.runningVar",
      "blocks.1.norm.runningMean",
      "blocks.1.norm.runningVar",
    ]);
    expect(net.parameters().every((p) => p instanceof Variable && p.trainable)).toBe(true);
    // scale 1; per block: kernel 2·3, bias 3, gamma 3, beta 3 (+ running mean 3, var 3); heads 3 + 1 and 3.
    expect(net.countParams()).toEqual({
      total: 1 + 2 * 21 + 4 + 3,
      trainable: 1 + 2 * 15 + 4 + 3,
      nonTrainable: 12,
    });
  });

  it("lists modules and direct children", () => {
    const net = new Net();
    expect(net.namedModules().map(([n]) => n)).toEqual([
      "",
      "blocks.0",
      "blocks.0.fc",
      "blocks.0.norm",
      "blocks.1",
      "blocks.1.fc",
      "blocks.1.norm",
      "heads.left",
      "heads.right",
    ]);
    expect(net.namedChildren().map(([n]) => n)).toEqual([
      "blocks.0",
      "blocks.1",
      "heads.left",
      "heads.right",
    ]);
  });

  it("reports a shared layer once and survives cycles", () => {
    const shared = new Dense(2, { inputDim: 2, seed: 0 });
    class Tied extends Module {
      a = shared;
      b = shared;
      self: Module = this;
      forward(x: np.NDArray) {
        return this.b.call(this.a.call(x));
      }
    }
    const t = new Tied();
    expect(t.namedParameters().map(([n]) => n)).toEqual(["a.kernel", "a.bias"]);
    expect(t.modules()).toHaveLength(2);
  });

  it("does not discover anything in a forward pass (parameters are walked only on request)", () => {
    const model = new Sequential([new Dense(4, { seed: 0 }), new Dense(1, { seed: 1 })]);
    const before = model.parameters();
    expect(before).toHaveLength(0); // no input shape known: every layer is lazy
    model.call(np.ones([5, 2]));
    expect(model.namedParameters().map(([n]) => n)).toEqual([
      "layers.0.kernel",
      "layers.0.bias",
      "layers.1.kernel",
      "layers.1.bias",
    ]);
  });
});

describe("Module: modes", () => {
  it("train()/eval() set every submodule", () => {
    const net = new Net();
    expect(net.modules().every((m) => m.training)).toBe(true);
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(
      net
        .train(false)
        .modules()
        .some((m) => m.training),
    ).toBe(false);
  });

  it("Sequential.add puts a new layer in the model's mode", () => {
    const model = new Sequential([new Dense(2, { inputDim: 2 })]).eval();
    const drop = new Dropout(0.5);
    model.add(drop);
    expect(drop.training).toBe(false);
  });
});

describe("Module: state dict", () => {
  it("stateDict holds snapshots of parameters and buffers", () => {
    const net = new Net();
    const sd = net.stateDict();
    expect(Object.keys(sd)).toEqual(net.namedVariables().map(([n]) => n));
    const k = net.blocks[0]!.fc.kernel!;
    const before = Array.from(sd["blocks.0.fc.kernel"]!.dataSync());
    k.assign(np.zeros(k.shape));
    expect(Array.from(sd["blocks.0.fc.kernel"]!.dataSync())).toEqual(before);
  });

  it("loadStateDict round-trips into a fresh model", () => {
    const a = new Net();
    const b = new Net();
    b.reseed(99);
    const x = np.array([
      [0.5, -1],
      [2, 0.25],
      [1, 1],
    ]);
    a.eval();
    b.eval();
    expect(b.call(x).toArray()).not.toEqual(a.call(x).toArray());
    const r = b.loadStateDict(a.stateDict());
    expect(r).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.call(x).toArray()).toEqual(a.call(x).toArray());
  });

  const snapshot = (m: Module) => m.namedVariables().map(([n, v]) => [n, Array.from(v.dataSync())]);

  it("is all-or-nothing: a bad entry anywhere leaves every variable unchanged", () => {
    const target = new Net();
    const before = snapshot(target);
    const source = new Net();
    source.reseed(7);
    const good = source.stateDict();

    const wrongShape = { ...good, "heads.right.kernel": np.zeros([4, 1]) };
    expect(() => target.loadStateDict(wrongShape)).toThrow(
      /'heads\.right\.kernel': the module has shape \[3, 1\], the value \[4, 1\]/,
    );
    expect(snapshot(target)).toEqual(before);

    const missing: Record<string, np.NDArray> = { ...good };
    delete missing["blocks.1.norm.runningVar"];
    expect(() => target.loadStateDict(missing)).toThrow(/missing: blocks\.1\.norm\.runningVar/);
    expect(snapshot(target)).toEqual(before);

    const extra = { ...good, "heads.middle.kernel": np.zeros([3, 1]) };
    expect(() => target.loadStateDict(extra)).toThrow(StateDictError);
    expect(() => target.loadStateDict(extra)).toThrow(/unexpected: heads\.middle\.kernel/);
    expect(snapshot(target)).toEqual(before);

    const wrongDtype = { ...good, scale: np.array([1], { dtype: "int32" }) };
    expect(() => target.loadStateDict(wrongDtype)).toThrow(
      /'scale': the module has dtype float32, the value int32/,
    );
    expect(snapshot(target)).toEqual(before);
  });

  it("non-strict loading takes the common names, still checking shapes", () => {
    const target = new Net();
    const src = { scale: np.array([5]), "not.there": np.zeros([1]) };
    const r = target.loadStateDict(src, { strict: false });
    expect(target.scale.item()).toBe(5);
    expect(r.unexpectedKeys).toEqual(["not.there"]);
    expect(r.missingKeys).toHaveLength(15);
    expect(() => target.loadStateDict({ scale: np.zeros([2]) }, { strict: false })).toThrow(/shape/);
  });

  it("converts between float32 and float64", () => {
    const d = new Dense(2, { inputDim: 2, dtype: "float64", seed: 0 });
    d.loadStateDict({
      kernel: np.array(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: "float32" },
      ),
      bias: np.array([0.5, 0.25]),
    });
    expect(d.kernel!.dtype).toBe("float64");
    expect(d.kernel!.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("explains an unbuilt model", () => {
    const lazy = new Sequential([new Dense(2)]);
    expect(() => lazy.loadStateDict({ "layers.0.kernel": np.zeros([3, 2]) })).toThrow(
      /layers\.0 is not built yet: call build\(inputShape\)/,
    );
    lazy.build([3]);
    lazy.loadStateDict({ "layers.0.kernel": np.ones([3, 2]), "layers.0.bias": np.zeros([2]) });
    expect(lazy.call(np.ones([1, 3])).toArray()).toEqual([[3, 3]]);
  });
});

describe("Module: seeding", () => {
  const weights = (m: Module) => m.variables().map((v) => Array.from(v.dataSync()));

  it("a Sequential seed makes the whole model reproducible and overrides the layers' own", () => {
    const make = (layerSeed: number) =>
      new Sequential(
        [
          new Dense(8, { inputDim: 3, seed: layerSeed }),
          new Dropout(0.5, { seed: layerSeed }),
          new Dense(2, { seed: layerSeed }),
        ],
        { seed: 123 },
      );
    const a = make(1);
    const b = make(2);
    a.call(np.ones([4, 3]));
    b.call(np.ones([4, 3]));
    expect(weights(a)).toEqual(weights(b));
    const c = new Sequential([new Dense(8, { inputDim: 3 }), new Dropout(0.5), new Dense(2)], { seed: 124 });
    c.call(np.ones([4, 3]));
    expect(weights(c)).not.toEqual(weights(a));
    // Same dropout masks too.
    expect(a.call(np.ones([4, 3])).toArray()).toEqual(b.call(np.ones([4, 3])).toArray());
  });

  it("layers with the same seed get the same weights; reseed redraws in place", () => {
    const a = new Dense(5, { inputDim: 4, seed: 42 });
    const b = new Dense(5, { inputDim: 4, rng: new np.Random(42) });
    expect(weights(a)).toEqual(weights(b));
    const kernel = a.kernel;
    a.reseed(43);
    expect(a.kernel).toBe(kernel); // same Variable object (optimisers keep working)
    expect(weights(a)).not.toEqual(weights(b));
    a.reseed(42);
    expect(weights(a)).toEqual(weights(b));
  });
});

describe("Module: default generator", () => {
  it("manualSeed makes unseeded layers reproducible", () => {
    manualSeed(5);
    const a = new Sequential([new Dense(3, { inputDim: 2 }), new Dense(1, { inputDim: 3 })]);
    manualSeed(5);
    const b = new Sequential([new Dense(3, { inputDim: 2 }), new Dense(1, { inputDim: 3 })]);
    expect(b.variables().map((v) => Array.from(v.dataSync()))).toEqual(
      a.variables().map((v) => Array.from(v.dataSync())),
    );
    const c = new Sequential([new Dense(3, { inputDim: 2 }), new Dense(1, { inputDim: 3 })]);
    expect(c.variables().map((v) => Array.from(v.dataSync()))).not.toEqual(
      a.variables().map((v) => Array.from(v.dataSync())),
    );
  });
});

describe("Module: describe", () => {
  it("toString prints the tree", () => {
    const m = new Sequential([new Dense(4, { inputDim: 2, activation: "relu" }), new Dropout(0.1)]);
    expect(m.toString()).toBe(
      "Sequential(\n  (layers.0): Dense(inputDim=2, units=4, activation=relu)\n  (layers.1): Dropout(rate=0.1)\n)",
    );
  });
});
