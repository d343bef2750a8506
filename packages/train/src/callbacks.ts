import type { Variable } from "@chainrule/autograd";
import type { NDArray } from "@chainrule/ndarray";
import type { Callback, History, Logs } from "./types";

export interface EarlyStoppingOptions {
  /** The metric to watch (default "val_loss"). */
  monitor?: string;
  /** Stop after this many epochs in a row without improvement (default 0, which stops at the first, as 1). */
  patience?: number;
  /** The smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** "min", "max", or "auto": max for names containing "acc" or "auc", min otherwise (default). */
  mode?: "min" | "max" | "auto";
  /** When training ends, put these Variables back to their values at the best epoch. */
  restoreBestWeights?: readonly Variable[];
}

export interface EarlyStopping extends Callback {
  /** The 0-based epoch training stopped at, if it did. */
  readonly stoppedEpoch: number | undefined;
  readonly bestEpoch: number | undefined;
  readonly best: number;
}

/**
 * Keras' EarlyStopping: stop when `monitor` has not improved by more than `minDelta` for `patience`
 * epochs in a row. With `restoreBestWeights`, the Variables are put back to their best-epoch values when
 * training ends (stopped early or not). State is reset at the start of each `fit`, so one instance can be
 * reused.
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  const { monitor = "val_loss", patience = 0, minDelta = 0, restoreBestWeights } = options;
  const mode = options.mode ?? "auto";
  const maximize = mode === "max" || (mode === "auto" && /acc|auc/i.test(monitor));
  const better = (current: number, best: number) =>
    maximize ? current - Math.abs(minDelta) > best : current + Math.abs(minDelta) < best;
  let best = maximize ? -Infinity : Infinity;
  let bestEpoch: number | undefined;
  let stoppedEpoch: number | undefined;
  let wait = 0;
  let snapshot: NDArray[] | undefined;

  return {
    get stoppedEpoch() {
      return stoppedEpoch;
    },
    get bestEpoch() {
      return bestEpoch;
    },
    get best() {
      return best;
    },
    onTrainBegin() {
      best = maximize ? -Infinity : Infinity;
      [bestEpoch, stoppedEpoch, wait, snapshot] = [undefined, undefined, 0, undefined];
    },
    onEpochEnd(epoch: number, logs: Logs) {
      const current = logs[monitor];
      if (current === undefined)
        throw new Error(
          `earlyStopping: '${monitor}' is not among the epoch's metrics (${Object.keys(logs).join(", ") || "none"}); ` +
            `set monitor, or return it from validate`,
        );
      if (better(current, best)) {
        [best, bestEpoch, wait] = [current, epoch, 0];
        if (restoreBestWeights) snapshot = restoreBestWeights.map((v) => v.read());
        return;
      }
      // As Keras: the patience-th epoch in a row without improvement stops (0 and 1 both stop at the first).
      if (++wait >= patience && epoch > 0) {
        stoppedEpoch = epoch;
        return "stop";
      }
    },
    onTrainEnd(_history: History) {
      if (restoreBestWeights && snapshot) restoreBestWeights.forEach((v, i) => v.assign(snapshot![i]!));
    },
  };
}
