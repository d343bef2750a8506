import { createBarReporter, type BarStream } from "./bar";
import { LinesReporter } from "./lines";
import { silentReporter, type ProgressReporter } from "./reporter";

export type ProgressMode = "auto" | "bar" | "lines" | "none";

export interface ProgressOptions {
  progress?: ProgressMode | ProgressReporter;
  /** Sink for "lines" output (default: stderr, or console.log where there is no process). */
  log?: (line: string) => void;
  /** Cadence of "lines" output: every N batches and/or every S seconds (default every 10 s). */
  logEvery?: { batches?: number; seconds?: number };
}

type ProcessLike = { stderr?: BarStream };

function stderr(): BarStream | undefined {
  return (globalThis as { process?: ProcessLike }).process?.stderr;
}

function defaultLog(): (line: string) => void {
  const err = stderr();
  return err ? (line) => err.write(line + "\n") : (line) => console.log(line);
}

/**
 * "auto" is a bar when stderr is a terminal and no `log` sink was given, plain lines otherwise (CI,
 * pipes, browsers, tests).
 */
export async function chooseReporter({
  progress = "auto",
  log,
  logEvery,
}: ProgressOptions): Promise<ProgressReporter> {
  if (typeof progress === "object") return progress;
  if (progress === "none") return silentReporter;
  const mode = progress === "auto" ? (log === undefined && stderr()?.isTTY ? "bar" : "lines") : progress;
  if (mode === "bar") return createBarReporter();
  return new LinesReporter({
    log: log ?? defaultLog(),
    everyBatches: logEvery?.batches,
    everySeconds: logEvery?.seconds,
  });
}
