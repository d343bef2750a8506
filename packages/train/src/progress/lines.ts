import type { Logs } from "../types";
import { epochSummary, formatLogs, type ProgressReporter } from "./reporter";

export interface LinesOptions {
  /** Where lines go. */
  log: (line: string) => void;
  /** A line every this many batches (off by default). */
  everyBatches?: number;
  /** A line when this many seconds have passed since the last one (default 10; 0 turns it off). */
  everySeconds?: number;
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
}

/**
 * Plain progress for logs that are not a terminal (CI): a periodic line during an epoch, by batch count or
 * by time, and one summary line per epoch. Nothing is redrawn, so every line stays readable in a log file.
 */
export class LinesReporter implements ProgressReporter {
  private readonly log: (line: string) => void;
  private readonly everyBatches: number;
  private readonly everyMs: number;
  private readonly now: () => number;
  private last = 0;
  private batches = 0;
  private epoch = 0;
  private epochs = 0;
  private total: number | undefined;

  constructor({ log, everyBatches = 0, everySeconds = 10, now = () => Date.now() }: LinesOptions) {
    this.log = log;
    this.everyBatches = everyBatches;
    this.everyMs = everySeconds * 1000;
    this.now = now;
  }

  epochStart(epoch: number, epochs: number, totalBatches: number | undefined): void {
    [this.epoch, this.epochs, this.total, this.batches] = [epoch, epochs, totalBatches, 0];
    this.last = this.now();
  }

  batchEnd(done: number, means: Logs): void {
    this.batches = done;
    const byCount = this.everyBatches > 0 && done % this.everyBatches === 0;
    const byTime = this.everyMs > 0 && this.now() - this.last >= this.everyMs;
    if (!byCount && !byTime) return;
    if (done === this.total) return; // the summary line follows at once
    this.last = this.now();
    const of = this.total === undefined ? `batch ${done}` : `batch ${done}/${this.total}`;
    const metrics = formatLogs(means);
    this.log(`Epoch ${this.epoch + 1}/${this.epochs} · ${of}${metrics ? ` · ${metrics}` : ""}`);
  }

  epochEnd(epoch: number, epochs: number, logs: Logs, seconds: number): void {
    this.log(epochSummary(epoch, epochs, this.batches, logs, seconds));
  }

  close(): void {}
}
