import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { SGD } from "@chainrule/optim";
import { describe, expect, it } from "vitest";
import { earlyStopping, fit, type Callback } from "./index";

// A tiny deterministic problem: fit y = 2x + 1 with w·x + b, four fixed batches.
const f64 = (v: number[]) => np.array(v, { dtype: "float64" });
const batches = [
  [f64([0, 1]), f64([1, 3])],
  [f64([2, 3]), f64([5, 7])],
  [f64([-1, 0.5]), f64([-1, 2])],
  [f64([1.5, -2]), f64([4, -3])],
] as const;
type Batch = (typeof batches)[number];

function linear() {
  const w = new Variable(f64([0]), { name: "w" });
  const b = new Variable(f64([0]), { name: "b" });
  const loss = ([x, y]: Batch) => np.mean(np.square(x.mul(w).add(b).sub(y)));
  return { w, b, loss, opt: new SGD([w, b], { lr: 0.1 }) };
}

describe("fit", () => {
  it("low-level: your trainStep per batch, a loss history, and the same weights as the hand-written loop", async () => {
    const a = linear();
    const history = await fit({
      epochs: 30,
      data: batches,
      trainStep: (batch) => a.opt.minimize(() => a.loss(batch)),
      progress: "none",
    });
    expect(history.epoch).toEqual([...Array(30).keys()]);
    expect(history.loss!.length).toBe(30);
    expect(history.loss![29]!).toBeLessThan(history.loss![0]! / 100);
    expect(a.w.item()).toBeCloseTo(2, 2);
    expect(a.b.item()).toBeCloseTo(1, 2);

    // The same loop by hand: identical weights.
    const h = linear();
    for (let epoch = 0; epoch < 30; epoch++) for (const batch of batches) h.opt.minimize(() => h.loss(batch));
    expect([h.w.item(), h.b.item()]).toEqual([a.w.item(), a.b.item()]);
  });

  it("the epoch loss is the mean of the batch losses", async () => {
    const history = await fit({ epochs: 2, data: [1, 2, 3, 6], trainStep: (x) => x * 10, progress: "none" });
    expect(history).toEqual({ epoch: [0, 1], loss: [30, 30] });
  });

  it("high-level: { optimizer, loss } runs optimizer.minimize per batch", async () => {
    const a = linear();
    const history = await fit({
      epochs: 30,
      data: batches,
      optimizer: a.opt,
      loss: a.loss,
      progress: "none",
    });
    expect(history.loss![29]!).toBeLessThan(1e-3);
    expect(a.opt.iterations).toBe(120);
  });

  it("merges validate()'s metrics and several step metrics; calls model.train() and model.eval()", async () => {
    const calls: string[] = [];
    const model = { train: () => calls.push("train"), eval: () => calls.push("eval") };
    const history = await fit({
      epochs: 2,
      data: [1, 2],
      trainStep: (x) => (calls.push(`step ${x}`), { loss: np.array(x), acc: x / 4 }),
      validate: (epoch) => (calls.push("validate"), { val_loss: 10 + epoch }),
      model,
      progress: "none",
    });
    expect(history).toEqual({ epoch: [0, 1], loss: [1.5, 1.5], acc: [0.375, 0.375], val_loss: [10, 11] });
    expect(calls).toEqual([
      "train",
      "step 1",
      "step 2",
      "eval",
      "validate",
      "train",
      "step 1",
      "step 2",
      "eval",
      "validate",
    ]);
  });

  it("accepts async iterables, async steps, and a data function called per epoch", async () => {
    async function* gen(epoch: number) {
      for (let i = 0; i < 3; i++) yield epoch + i;
    }
    const history = await fit({ epochs: 3, data: gen, trainStep: async (x) => x, progress: "none" });
    expect(history.loss).toEqual([1, 2, 3]);
  });

  it("refuses a one-shot generator for several epochs, and says how to fix it", async () => {
    function* gen() {
      yield 1;
    }
    await expect(fit({ epochs: 2, data: gen(), trainStep: (x) => x, progress: "none" })).rejects.toThrow(
      /one-shot iterator.*data: \(\) => makeBatches\(\)/,
    );
    const once = { n: 1, [Symbol.iterator]: () => ({ next: () => ({ done: once.n-- <= 0, value: 1 }) }) };
    await expect(fit({ epochs: 2, data: once, trainStep: (x) => x, progress: "none" })).rejects.toThrow(
      /epoch 2 got no batches \(epoch 1 got 1\)/,
    );
  });

  it("a callback can stop after an epoch, or after a batch; the history has every epoch that ran", async () => {
    const seen: string[] = [];
    const cb: Callback = {
      onTrainBegin: () => void seen.push("begin"),
      onEpochBegin: (e) => void seen.push(`epoch ${e}`),
      onEpochEnd: (e, logs) => (seen.push(`end ${e} ${logs.loss}`), e === 1 ? "stop" : undefined),
      onTrainEnd: (h) => void seen.push(`done ${h.epoch.length}`),
    };
    const h = await fit({ epochs: 5, data: [1, 3], trainStep: (x) => x, callbacks: [cb], progress: "none" });
    expect(h.epoch).toEqual([0, 1]);
    expect(seen).toEqual(["begin", "epoch 0", "end 0 2", "epoch 1", "end 1 2", "done 2"]);

    const nanGuard: Callback = { onBatchEnd: (_, logs) => (Number.isNaN(logs.loss) ? "stop" : undefined) };
    const h2 = await fit({
      epochs: 5,
      data: [1, NaN, 3],
      trainStep: (x) => x,
      callbacks: [nanGuard],
      progress: "none",
    });
    expect(h2).toEqual({ epoch: [0], loss: [NaN] });
  });

  it("closes the batch iterator when a step throws, and rethrows", async () => {
    let closed = false;
    function* gen() {
      try {
        yield 1;
        yield 2;
      } finally {
        closed = true;
      }
    }
    const failing = (x: number) => {
      if (x === 1) throw new Error("boom");
      return x;
    };
    await expect(fit({ epochs: 1, data: gen(), trainStep: failing, progress: "none" })).rejects.toThrow(
      "boom",
    );
    expect(closed).toBe(true);
  });

  it("keeps every series as long as epoch, with NaN where a metric is missing", async () => {
    const h = await fit({
      epochs: 3,
      data: [1],
      trainStep: (x) => x,
      validate: (e): Record<string, number> => (e === 1 ? { val_loss: 5 } : {}),
      progress: "none",
    });
    expect(h).toEqual({ epoch: [0, 1, 2], loss: [1, 1, 1], val_loss: [NaN, 5, NaN] });
  });

  it("rejects a non-scalar loss", async () => {
    await expect(
      fit({ epochs: 1, data: [1], trainStep: () => f64([1, 2]), progress: "none" }),
    ).rejects.toThrow("fit: 'loss' must be a number or a one-element array, got shape [2]");
  });
});

describe("earlyStopping", () => {
  const run = (valLosses: number[], cb: Callback, metric = "val_loss") =>
    fit({
      epochs: valLosses.length,
      data: [0],
      trainStep: () => 0,
      validate: (e) => ({ [metric]: valLosses[e]! }),
      callbacks: [cb],
      progress: "none",
    });

  it("stops after `patience` epochs in a row without improvement", async () => {
    const es = earlyStopping({ monitor: "val_loss", patience: 2 });
    const h = await run([1, 0.5, 0.6, 0.55, 0.4, 0.3], es);
    expect(h.val_loss).toEqual([1, 0.5, 0.6, 0.55]);
    expect([es.stoppedEpoch, es.bestEpoch, es.best]).toEqual([3, 1, 0.5]);
  });

  it("counts only improvements larger than minDelta; keeps going while they come", async () => {
    const h = await run([1, 0.95, 0.9, 0.5], earlyStopping({ patience: 2, minDelta: 0.1 }));
    expect(h.epoch).toEqual([0, 1, 2]);
    const all = await run([1, 0.8, 0.6, 0.4], earlyStopping({ patience: 1 }));
    expect(all.epoch).toEqual([0, 1, 2, 3]);
  });

  it("maximizes accuracy-like metrics in auto mode", async () => {
    const es = earlyStopping({ monitor: "val_acc", patience: 1 });
    const h = await run([0.5, 0.7, 0.6, 0.9], es, "val_acc");
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(es.best).toBe(0.7);
  });

  it("restores the best epoch's weights at the end", async () => {
    const w = new Variable(f64([0]), { name: "w" });
    const h = await fit({
      epochs: 10,
      data: [0],
      trainStep: () => (w.assign(w.item() + 1), 0), // w counts the epochs
      validate: (e) => ({ val_loss: [3, 1, 2, 2.5, 0][e]! }),
      callbacks: [earlyStopping({ patience: 2, restoreBestWeights: [w] })],
      progress: "none",
    });
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(w.item()).toBe(2); // the value after epoch 1
  });

  it("names the missing metric and the ones there are", async () => {
    await expect(
      fit({ epochs: 2, data: [1], trainStep: (x) => x, callbacks: [earlyStopping()], progress: "none" }),
    ).rejects.toThrow("earlyStopping: 'val_loss' is not among the epoch's metrics (loss)");
  });
});

describe("fit: ordering of the progress output and callbacks", () => {
  it("closes the epoch's progress (bar) before onEpochEnd callbacks print", async () => {
    const events: string[] = [];
    const reporter = {
      epochStart: () => void events.push("bar start"),
      batchEnd: () => {},
      epochEnd: () => void events.push("bar end"),
      close: () => void events.push("close"),
    };
    await fit({
      epochs: 2,
      data: [1, 2],
      trainStep: () => 0.5,
      callbacks: [{ onEpochEnd: (epoch) => void events.push(`callback ${epoch}`) }],
      progress: reporter,
    });
    expect(events).toEqual([
      "bar start",
      "bar end",
      "callback 0",
      "bar start",
      "bar end",
      "callback 1",
      "close",
    ]);
  });
});

describe("fit with { optimizer, loss } and the buffer pool", () => {
  it("runs each step in a tidy: the step's arrays are released, the data and the weights are not", async () => {
    const a = linear();
    const made: np.NDArray[] = [];
    await fit({
      epochs: 3,
      data: batches,
      optimizer: a.opt,
      loss: ([x, y]) => {
        const pred = x.mul(a.w).add(a.b);
        made.push(pred);
        return np.mean(np.square(pred.sub(y))); // a.loss's ops
      },
      progress: "none",
    });
    expect(made.length).toBe(12);
    expect(made.every((p) => p.isDisposed)).toBe(true);
    expect(batches.flat().some((x) => x.isDisposed)).toBe(false);
    // The same steps by hand, without tidy: identical weights.
    const h = linear();
    for (let epoch = 0; epoch < 3; epoch++) for (const batch of batches) h.opt.minimize(() => h.loss(batch));
    expect([a.w.item(), a.b.item()]).toEqual([h.w.item(), h.b.item()]);
  });
});
