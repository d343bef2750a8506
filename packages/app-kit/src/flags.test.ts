import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appUsage, backendFlag, HelpRequested, readAppFlags, UsageError } from "./index";

const table = {
  backend: backendFlag,
  "batch-size": { kind: "positive-int", default: "100", help: "images per step" },
  "export-onnx": { type: "string" }, // the legacy parseArgs spelling, as other apps add flags
} as const;

describe("readAppFlags", () => {
  it("converts numbers and keeps defaults", () => {
    const f = readAppFlags(
      "demo",
      ["--", "--lr", "0.5", "--batch-size", "32", "--export-onnx", "m.onnx"],
      table,
    );
    expect(f.lr).toBe(0.5);
    expect(f.seed).toBe(0);
    expect(f.out).toBe(join("out", "demo"));
    expect(f.extra).toEqual({ backend: "wasm", "batch-size": 32, "export-onnx": "m.onnx" });
  });

  it.each([
    [["--nope"], "demo: Unknown option '--nope'"],
    [["--lr", "fast"], "demo: --lr expects a number, got 'fast'"],
    [["--epochs", "2.5"], "demo: --epochs expects a positive whole number, got '2.5'"],
    [["--batch-size", "0"], "demo: --batch-size expects a positive whole number, got '0'"],
    [["--backend", "gpu"], "demo: --backend expects one of wasm, js, webgpu, got 'gpu'"],
    [["--lr"], "demo: Option '--lr <value>' argument missing"],
  ])("rejects %j with one line", (argv, message) => {
    const run = () => readAppFlags("demo", argv, table);
    expect(run).toThrow(UsageError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (err) {
      expect((err as Error).message).not.toContain("\n");
    }
  });

  it("asks for help with --help, even next to a bad flag", () => {
    expect(() => readAppFlags("demo", ["--help"], table)).toThrow(HelpRequested);
    expect(() => readAppFlags("demo", ["--nope", "--help"], table)).toThrow(HelpRequested);
  });

  it("lists every flag, app flags included, in the usage", () => {
    const text = appUsage("demo", table, { description: "A demo." });
    for (const flag of [
      "seed",
      "epochs",
      "steps",
      "lr",
      "out",
      "full",
      "help",
      "backend",
      "batch-size",
      "export-onnx",
    ])
      expect(text).toMatch(new RegExp(`^  --${flag}\\b`, "m"));
    expect(text).toContain("--backend <wasm|js|webgpu>");
    expect(text).toContain("(default: 100)");
    expect(text.split("\n")[0]).toBe("usage: pnpm --filter demo start -- [flags]");
  });
});

// The real command lines: each app's main.ts, run by tsx as `pnpm start` does (they exit before any training).
describe.each(["cat-mlp", "fashion-mnist", "himmelblau", "moons"])("apps/%s", (app) => {
  const dir = join(import.meta.dirname, "../../../apps", app);
  const start = (...args: string[]) =>
    spawnSync(join(dir, "node_modules/.bin/tsx"), ["src/main.ts", ...args], { cwd: dir, encoding: "utf8" });

  it("prints its usage with --help, exit code 0", () => {
    const r = start("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: pnpm --filter ${app} start`));
    expect(r.stdout).toContain("--backend <wasm|js|webgpu>");
  });

  it("answers a bad flag with one line and the usage, exit code 2", () => {
    const r = start("--epochs", "many");
    expect(r.status).toBe(2);
    const [first, blank, usage] = r.stderr.split("\n");
    expect(first).toBe(`${app}: --epochs expects a positive whole number, got 'many'`);
    expect(blank).toBe("");
    expect(usage).toMatch(/^usage: /);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });
});
