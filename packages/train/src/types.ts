import type { NDArray } from "@chainrule/ndarray";

/** Metric values by name: `{ loss: 0.41, val_loss: 0.52 }`. */
export type Logs = Record<string, number>;

/** Epoch-level metrics, one entry per epoch, aligned with `epoch` (NaN where an epoch lacked a metric). */
export interface History {
  /** 0-based epoch indices, as Keras. */
  epoch: number[];
  [metric: string]: number[];
}

/** What a training step returns: the loss, or several metrics (`{ loss, acc }`), as numbers or one-element arrays. */
export type StepResult = number | NDArray | Record<string, number | NDArray>;

/** Batches for one epoch, sync or async. */
export type Batches<B> = Iterable<B> | AsyncIterable<B>;

/**
 * Where batches come from: an iterable that can be iterated once per epoch (an array, a DataLoader), or a
 * function returning a fresh one for each epoch (a generator function: `() => batches(x, y)`).
 */
export type DataSource<B> = Batches<B> | ((epoch: number) => Batches<B>);

/** Anything with `train()`/`eval()` switches (e.g. an nn Module); both are optional. */
export interface ModeSwitch {
  train?(): unknown;
  eval?(): unknown;
}

/** `"stop"` ends training after the current epoch (from `onBatchEnd`: after the current batch). */
export type CallbackResult = void | "stop" | Promise<void | "stop">;

export interface Callback {
  onTrainBegin?(): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  /** `batch` is 0-based within the epoch; `logs` are this batch's values. */
  onBatchEnd?(batch: number, logs: Logs): CallbackResult;
  /** `logs` are the epoch's training means and the validation metrics. */
  onEpochEnd?(epoch: number, logs: Logs): CallbackResult;
  onTrainEnd?(history: History): void | Promise<void>;
}
