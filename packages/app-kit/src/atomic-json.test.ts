// Issue 19: metrics.json is written atomically (temp files of killed runs: @chainrule/ndarray/node's tests).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeJsonAtomic } from "./atomic-json";

describe("writeJsonAtomic", () => {
  const dir = mkdtempSync(join(tmpdir(), "chainrule-app-kit-"));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes pretty JSON, creating the directory, and leaves no temp file", () => {
    const path = join(dir, "out", "metrics.json");
    writeJsonAtomic(path, { loss: 0.25, steps: [1, 2] });
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ loss: 0.25, steps: [1, 2] });
    expect(readFileSync(path, "utf8").endsWith("}\n")).toBe(true);
    expect(readdirSync(join(dir, "out"))).toEqual(["metrics.json"]);
  });

  it("keeps the previous file and no temp file when the value cannot be serialised", () => {
    mkdirSync(dir, { recursive: true });
    writeJsonAtomic(join(dir, "metrics.json"), { old: 1 });
    expect(() => writeJsonAtomic(join(dir, "metrics.json"), { big: 1n })).toThrow(/BigInt/);
    expect(JSON.parse(readFileSync(join(dir, "metrics.json"), "utf8"))).toEqual({ old: 1 });
    expect(readdirSync(dir)).toEqual(["metrics.json"]);
  });
});
