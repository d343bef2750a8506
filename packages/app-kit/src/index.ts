// Shared by the demo apps (Node only): their common flags and how they write results.
import {
  commonFlags,
  HelpRequested,
  parseFlags,
  usage,
  UsageError,
  type FlagTable,
  type FlagValue,
} from "./flags";

export interface CommonFlags {
  seed: number;
  epochs?: number;
  steps?: number;
  lr?: number;
  out: string;
  full: boolean;
  /** The app's own flags, checked and converted as their table says (numbers as numbers). */
  extra: Record<string, FlagValue>;
}

export interface AppOptions {
  /** One or two lines under the usage line of `--help`. */
  description?: string;
}

/**
 * Parses `--seed`, `--epochs`, `--steps`, `--lr`, `--out <dir>`, `--full`, `--help`, plus the app's own flags
 * (`extra`, a declarative table: kind, default, choices, help). Throws UsageError for an unknown flag or a
 * bad value and HelpRequested for `--help`; `parseAppFlags` turns both into output and an exit code.
 */
export function readAppFlags(app: string, argv: string[], extra: FlagTable = {}): CommonFlags {
  const common = commonFlags(app);
  const values = parseFlags(app, argv, { ...common, ...extra });
  const extraValues: CommonFlags["extra"] = {};
  for (const k of Object.keys(extra)) extraValues[k] = values[k];
  return {
    seed: values.seed as number,
    epochs: values.epochs as number | undefined,
    steps: values.steps as number | undefined,
    lr: values.lr as number | undefined,
    out: String(values.out),
    full: Boolean(values.full),
    extra: extraValues,
  };
}

/** The app's `--help` text. */
export function appUsage(app: string, extra: FlagTable = {}, options: AppOptions = {}): string {
  return usage(app, { ...commonFlags(app), ...extra }, options.description);
}

/**
 * `readAppFlags` for a command line: `--help` prints the usage and exits 0; bad input prints one line, then
 * the usage, on stderr and exits 2 (no stack trace).
 */
export function parseAppFlags(
  app: string,
  argv: string[],
  extra: FlagTable = {},
  options: AppOptions = {},
): CommonFlags {
  try {
    return readAppFlags(app, argv, extra);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(appUsage(app, extra, options) + "\n");
      process.exit(0);
    }
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${appUsage(app, extra, options)}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** Seconds since `t0` (from performance.now()). */
export function secondsSince(t0: number): number {
  return (performance.now() - t0) / 1000;
}

export { writeJsonAtomic } from "./atomic-json";
export { ScalarLog, scalar } from "./scalars";
export {
  HelpRequested,
  UsageError,
  usage,
  type FlagKind,
  type FlagSpec,
  type FlagTable,
  type FlagValue,
} from "./flags";
export {
  BACKENDS,
  backendFlag,
  onHostBackend,
  parseBackend,
  selectBackend,
  type BackendName,
} from "./backend";
