import type { Variable } from "@chainrule/autograd";
import { tidy, type NDArray } from "@chainrule/ndarray";
import type { Optimizer } from "@chainrule/optim";
import { appendEpoch, emptyHistory } from "./history";
import { RunningMeans, stepLogs } from "./metrics";
import { chooseReporter, type ProgressOptions } from "./progress/choose";
import type { ProgressReporter } from "./progress/reporter";
import type { Batches, Callback, DataSource, History, Logs, ModeSwitch, StepResult } from "./types";

interface FitCommon<B> extends ProgressOptions {
  epochs: number;
  /** Batches: re-iterated every epoch, or a function returning each epoch's batches. */
  data: DataSource<B>;
  /** Metrics after each epoch's training (`{ val_loss, val_acc }`), merged into the logs and history. */
  validate?: (epoch: number) => Logs | Promise<Logs>;
  callbacks?: readonly Callback[];
  /** `train()` is called before each epoch and `eval()` before `validate`, when the object has them. */
  model?: ModeSwitch;
}

/** The loop's body is yours: forward, backward and the optimizer step; return the loss (or `{ loss, … }`). */
export interface FitWithStep<B> extends FitCommon<B> {
  trainStep: (batch: B, batchIndex: number) => StepResult | Promise<StepResult>;
}

/**
 * Shorthand: each batch is `tidy(() => optimizer.minimize(() => loss(batch), vars))`, so every array the
 * step makes except the loss goes back to the buffer pool (keep() one to hold on to it).
 */
export interface FitWithLoss<B> extends FitCommon<B> {
  optimizer: Pick<Optimizer, "minimize">;
  loss: (batch: B) => NDArray;
  /** What to differentiate (default: the optimizer's trainable parameters). */
  vars?: readonly Variable[];
}

export type FitOptions<B> = FitWithStep<B> | FitWithLoss<B>;

type Iter<B> = Iterator<B> | AsyncIterator<B>;

const isPromise = <T>(x: T | Promise<T>): x is Promise<T> =>
  typeof (x as { then?: unknown } | null)?.then === "function";

function iteratorOf<B>(batches: Batches<B>): Iter<B> {
  const sync = (batches as Iterable<B>)[Symbol.iterator];
  if (typeof sync === "function") return sync.call(batches);
  const asyncIt = (batches as AsyncIterable<B>)[Symbol.asyncIterator];
  if (typeof asyncIt === "function") return asyncIt.call(batches);
  throw new TypeError("fit: data must be an iterable, an async iterable, or a function returning one");
}

/** A one-shot iterator (a generator object) is its own iterator: a second epoch would see nothing. */
function isOneShot(data: unknown): boolean {
  const it = data as {
    next?: unknown;
    [Symbol.iterator]?: () => unknown;
    [Symbol.asyncIterator]?: () => unknown;
  };
  if (typeof it?.next !== "function") return false;
  return it[Symbol.iterator]?.() === it || it[Symbol.asyncIterator]?.() === it;
}

function lengthOf(batches: Batches<unknown>): number | undefined {
  const n = (batches as { length?: unknown }).length;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

function stepFunction<B>(options: FitOptions<B>): FitWithStep<B>["trainStep"] {
  if ("trainStep" in options) return options.trainStep;
  const { optimizer, loss, vars } = options;
  return (batch) => tidy(() => optimizer.minimize(() => loss(batch), vars));
}

/** One epoch's batches. Synchronous data, steps and callbacks are not awaited: no microtask per batch. */
async function runBatches<B>(
  it: Iter<B>,
  trainStep: FitWithStep<B>["trainStep"],
  means: RunningMeans,
  reporter: ProgressReporter,
  callbacks: readonly Callback[],
): Promise<{ count: number; stop: boolean }> {
  let count = 0;
  let finished = false;
  try {
    for (;;) {
      const next = it.next();
      const r = isPromise(next) ? await next : next;
      if (r.done) {
        finished = true;
        return { count, stop: false };
      }
      const out = trainStep(r.value, count);
      const logs = stepLogs(isPromise(out) ? await out : out);
      means.add(logs);
      count++;
      reporter.batchEnd(count, means.means());
      let stop = false;
      for (const cb of callbacks) {
        const said = cb.onBatchEnd?.(count - 1, logs);
        if ((isPromise(said) ? await said : said) === "stop") stop = true;
      }
      if (stop) return { count, stop };
    }
  } finally {
    // Leaving early (a stop or an error) closes the iterator, as for...of would.
    if (!finished) await it.return?.();
  }
}

/**
 * Runs `epochs` passes over `data`, calling your `trainStep` (or `optimizer.minimize`) per batch, then
 * `validate`, the callbacks and the progress output; returns the history of epoch metrics. A training loop
 * you could write by hand in twenty lines, and can still: this only saves the bookkeeping.
 *
 *   const history = await fit({
 *     epochs: 20,
 *     data: () => loader,
 *     trainStep: ([x, y]) => opt.minimize(() => lossFn(model(x), y)),
 *     validate: () => ({ val_loss: evalLoss() }),
 *     callbacks: [earlyStopping({ monitor: "val_loss", patience: 3 })],
 *   });
 */
export async function fit<B>(options: FitOptions<B>): Promise<History> {
  const { epochs, data, validate, callbacks = [], model } = options;
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new RangeError(`fit: epochs must be a whole number ≥ 0, got ${epochs}`);
  if (typeof data !== "function" && epochs > 1 && isOneShot(data))
    throw new TypeError(
      "fit: data is a one-shot iterator (a generator object?) and would be empty after the first epoch; " +
        "pass a function that returns a fresh one, e.g. data: () => makeBatches()",
    );
  const trainStep = stepFunction(options);
  const history = emptyHistory();
  const reporter = await chooseReporter(options);
  let lastCount: number | undefined;
  try {
    for (const cb of callbacks) await cb.onTrainBegin?.();
    for (let epoch = 0; epoch < epochs; epoch++) {
      const started = Date.now();
      model?.train?.();
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch);
      const batches = typeof data === "function" ? data(epoch) : data;
      reporter.epochStart(epoch, epochs, lengthOf(batches) ?? lastCount);
      const means = new RunningMeans();
      const run = await runBatches(iteratorOf(batches), trainStep, means, reporter, callbacks);
      let stop = run.stop;
      if (run.count === 0 && lastCount)
        throw new Error(
          `fit: epoch ${epoch + 1} got no batches (epoch ${epoch} got ${lastCount}); the data was used up: ` +
            "pass a function that returns a fresh iterable each epoch",
        );
      lastCount = run.count;
      const logs = means.means();
      if (validate) {
        model?.eval?.();
        Object.assign(logs, await validate(epoch));
      }
      appendEpoch(history, epoch, logs);
      // The epoch's bar is closed (replaced by its summary line) before callbacks run, so what they
      // print lands below it instead of being wiped by the bar's redraw.
      reporter.epochEnd(epoch, epochs, logs, (Date.now() - started) / 1000);
      for (const cb of callbacks) if ((await cb.onEpochEnd?.(epoch, logs)) === "stop") stop = true;
      if (stop) break;
    }
    for (const cb of callbacks) await cb.onTrainEnd?.(history);
  } finally {
    reporter.close();
  }
  return history;
}
