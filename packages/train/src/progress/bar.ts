import type { Logs } from "../types";
import { epochSummary, formatLogs, type ProgressReporter } from "./reporter";

/** The part of a Node stream the bar needs (process.stderr by default). */
export interface BarStream {
  isTTY?: boolean;
  write(chunk: string): unknown;
}

/**
 * A cli-progress bar per epoch on a terminal, replaced by a summary line when the epoch ends.
 * cli-progress (Node-only) is loaded on first use, so importing this package never pulls it in.
 */
export async function createBarReporter(stream?: BarStream): Promise<ProgressReporter> {
  // A computed specifier, so bundlers for browsers leave cli-progress (events, readline) out of the bundle.
  const specifier = "cli-progress";
  const mod = (await import(/* @vite-ignore */ specifier)) as
    typeof import("cli-progress") | { default: typeof import("cli-progress") };
  const { SingleBar } = "default" in mod ? mod.default : mod;
  const out = stream ?? (globalThis as { process?: { stderr: BarStream } }).process?.stderr;
  if (out === undefined)
    throw new Error("fit: progress 'bar' needs a stream (there is no process.stderr here)");
  const bar = new SingleBar({
    format: "Epoch {epoch} [{bar}] {value}/{total} · {duration_formatted}{metrics}",
    barCompleteChar: "\u2588",
    barIncompleteChar: "\u2591",
    stream: out as NodeJS.WritableStream,
    barsize: 30,
    hideCursor: true,
    clearOnComplete: true,
    // Keep the bar visible even when the stream is not a TTY but the user asked for a bar.
    noTTYOutput: !out.isTTY,
    notTTYSchedule: 10_000,
    gracefulExit: true,
  });
  let batches = 0;
  let lastTotal: number | undefined;
  let running = false;
  return {
    epochStart(epoch, epochs, totalBatches) {
      batches = 0;
      // An unknown length reuses the previous epoch's count; before that the bar just counts.
      const total = totalBatches ?? lastTotal ?? 0;
      bar.start(total, 0, { epoch: `${epoch + 1}/${epochs}`, metrics: "" });
      running = true;
    },
    batchEnd(done: number, means: Logs) {
      batches = done;
      if (done > bar.getTotal()) bar.setTotal(done);
      bar.update(done, { metrics: ` · ${formatLogs(means)}` });
    },
    epochEnd(epoch, epochs, logs, seconds) {
      lastTotal = batches;
      bar.stop();
      running = false;
      out.write(epochSummary(epoch, epochs, batches, logs, seconds) + "\n");
    },
    close() {
      if (running) bar.stop();
      running = false;
    },
  };
}
