import type { Logs } from "../types";

/** What `fit` tells its progress output; implement it to send progress anywhere (a UI, a logger). */
export interface ProgressReporter {
  /** `totalBatches` is undefined when the data's length is unknown (and no earlier epoch told it). */
  epochStart(epoch: number, epochs: number, totalBatches: number | undefined): void;
  /** After each batch: how many batches are done this epoch, and the running means. */
  batchEnd(done: number, means: Logs): void;
  /** After validation and callbacks: the epoch's logs and its duration. */
  epochEnd(epoch: number, epochs: number, logs: Logs, seconds: number): void;
  /** Once, when training ends (also on errors): release the terminal. */
  close(): void;
}

/** Metric values as Keras prints them: 4 decimals, or scientific notation when tiny or huge. */
export function formatValue(v: number): string {
  const a = Math.abs(v);
  if (v === 0 || !Number.isFinite(v) || (a >= 1e-3 && a < 1e5)) return v.toFixed(4);
  return v.toExponential(3);
}

export function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([k, v]) => `${k} ${formatValue(v)}`)
    .join(" · ");
}

/** "Epoch 3/10 · 100 batches · 2.3s · loss 0.4120 · val_loss 0.5000" */
export function epochSummary(
  epoch: number,
  epochs: number,
  batches: number,
  logs: Logs,
  seconds: number,
): string {
  const parts = [`Epoch ${epoch + 1}/${epochs}`, `${batches} batches`, `${seconds.toFixed(1)}s`];
  const metrics = formatLogs(logs);
  return metrics ? `${parts.join(" · ")} · ${metrics}` : parts.join(" · ");
}

export const silentReporter: ProgressReporter = {
  epochStart() {},
  batchEnd() {},
  epochEnd() {},
  close() {},
};
