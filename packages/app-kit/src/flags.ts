// Declarative command-line flags for the demo apps: one table gives parsing, checking and `--help`.
import { join } from "node:path";
import { parseArgs } from "node:util";

/** How a flag's value is read and checked. */
export type FlagKind = "boolean" | "string" | "number" | "positive-int";

export interface FlagSpec {
  kind?: FlagKind; // default "string"
  default?: string | boolean;
  /** One line for `--help`. */
  help?: string;
  /** The allowed values of a string flag. */
  choices?: readonly string[];
  /** Shown in `--help` as `--flag <valueName>`. */
  valueName?: string;
  /** Legacy spelling of kind (parseArgs' option type): "boolean" or "string". */
  type?: "string" | "boolean";
}

export type FlagTable = Record<string, FlagSpec>;

/** A bad command line: the apps print its message and the usage, and exit with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** `--help` was asked for. */
export class HelpRequested extends Error {
  override name = "HelpRequested";
}

export type FlagValue = string | number | boolean | undefined;

/** The flags every app takes. */
export function commonFlags(app: string): FlagTable {
  return {
    seed: { kind: "number", default: "0", help: "random seed" },
    epochs: { kind: "positive-int", help: "training epochs (the app's default otherwise)" },
    steps: { kind: "positive-int", help: "training steps or iterations" },
    lr: { kind: "number", help: "learning rate" },
    out: { kind: "string", default: join("out", app), valueName: "dir", help: "where plots and metrics go" },
    full: { kind: "boolean", default: false, help: "the full-length textbook run" },
    help: { kind: "boolean", default: false, help: "print this help and exit" },
  };
}

const kindOf = (spec: FlagSpec): FlagKind => spec.kind ?? spec.type ?? "string";

/** Parses `argv` against `table`; throws UsageError (bad input) or HelpRequested (`--help`). */
export function parseFlags(app: string, argv: string[], table: FlagTable): Record<string, FlagValue> {
  // `pnpm --filter app start -- --full` passes the `--` through: it separates nothing here.
  const args = argv[0] === "--" ? argv.slice(1) : argv;
  const options: Record<string, { type: "string" | "boolean"; default?: string | boolean }> = {};
  for (const [name, spec] of Object.entries(table)) {
    const type = kindOf(spec) === "boolean" ? "boolean" : "string";
    options[name] = spec.default === undefined ? { type } : { type, default: spec.default };
  }
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (err) {
    if (args.includes("--help") || args.includes("-h")) throw new HelpRequested();
    throw new UsageError(`${app}: ${firstLine(err)}`);
  }
  if (values.help) throw new HelpRequested();
  const out: Record<string, FlagValue> = {};
  for (const [name, spec] of Object.entries(table))
    out[name] = checkValue(app, name, spec, values[name] as string | boolean | undefined);
  return out;
}

function checkValue(app: string, name: string, spec: FlagSpec, v: string | boolean | undefined): FlagValue {
  if (v === undefined || typeof v === "boolean") return v;
  const kind = kindOf(spec);
  if (spec.choices && !spec.choices.includes(v))
    throw new UsageError(`${app}: --${name} expects one of ${spec.choices.join(", ")}, got '${v}'`);
  if (kind === "number" || kind === "positive-int") {
    const n = v.trim() === "" ? NaN : Number(v);
    if (kind === "number" && !Number.isFinite(n))
      throw new UsageError(`${app}: --${name} expects a number, got '${v}'`);
    if (kind === "positive-int" && !(Number.isInteger(n) && n > 0))
      throw new UsageError(`${app}: --${name} expects a positive whole number, got '${v}'`);
    return n;
  }
  return v;
}

// Node's parseArgs messages run over several lines (with a hint about `--`): keep the first.
function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!.trim();
}

/** The `--help` text: a usage line, the description, then one line per flag. */
export function usage(app: string, table: FlagTable, description = ""): string {
  const rows = Object.entries(table).map(([name, spec]) => {
    const kind = kindOf(spec);
    const value =
      kind === "boolean"
        ? ""
        : ` <${spec.valueName ?? (spec.choices ? spec.choices.join("|") : kind === "string" ? "value" : kind === "number" ? "n" : "int")}>`;
    const dflt =
      spec.default !== undefined && kind !== "boolean" ? ` (default: ${String(spec.default)})` : "";
    return [`  --${name}${value}`, `${spec.help ?? ""}${dflt}`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, right]) => (right ? left.padEnd(width) + right : left).trimEnd());
  return [
    `usage: pnpm --filter ${app} start -- [flags]`,
    ...(description ? ["", description] : []),
    "",
    "flags:",
    ...lines,
  ].join("\n");
}
