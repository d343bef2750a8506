// Shared by the demo apps (Node only): their common flags and how they write results.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

export interface CommonFlags {
  seed: number;
  epochs?: number;
  steps?: number;
  lr?: number;
  out: string;
  full: boolean;
  /** Flags specific to one app, as strings or booleans. */
  extra: Record<string, string | boolean | undefined>;
}

/**
 * Parses `--seed`, `--epochs`, `--steps`, `--lr`, `--out <dir>`, `--full`, plus the app's own flags,
 * with clear errors for unknown flags and non-numbers.
 */
export function parseAppFlags(
  app: string,
  argv: string[],
  extra: Record<string, { type: "string" | "boolean"; default?: string | boolean }> = {},
): CommonFlags {
  // `pnpm --filter app start -- --full` passes the `--` through: it separates nothing here.
  const args = argv[0] === "--" ? argv.slice(1) : argv;
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: "string", default: "0" },
      epochs: { type: "string" },
      steps: { type: "string" },
      lr: { type: "string" },
      out: { type: "string", default: join("out", app) },
      full: { type: "boolean", default: false },
      ...extra,
    },
    strict: true,
    allowPositionals: false,
  });
  const num = (name: string): number | undefined => {
    const v = values[name as keyof typeof values];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`${app}: --${name} expects a number, got '${String(v)}'`);
    return n;
  };
  const extraValues: CommonFlags["extra"] = {};
  for (const k of Object.keys(extra))
    extraValues[k] = values[k as keyof typeof values] as string | boolean | undefined;
  return {
    seed: num("seed")!,
    epochs: num("epochs"),
    steps: num("steps"),
    lr: num("lr"),
    out: String(values.out),
    full: Boolean(values.full),
    extra: extraValues,
  };
}

/** Writes JSON through a temporary file and a rename, so a reader never sees half a file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  renameSync(tmp, path);
}

/** Seconds since `t0` (from performance.now()). */
export function secondsSince(t0: number): number {
  return (performance.now() - t0) / 1000;
}

export { BACKENDS, parseBackend, selectBackend, type BackendName } from "./backend";
