// Issue 19: metrics.json is written atomically and temp files of killed runs do not pile up.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

  it("removes temp files of killed runs, keeps those of live ones", () => {
    mkdirSync(dir, { recursive: true });
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(join(dir, `.metrics.json.${deadPid}.abcdef012345.tmp`), '{"half":');
    writeFileSync(join(dir, `.metrics.json.${process.pid}.0123456789ab.tmp`), "being written");
    writeJsonAtomic(join(dir, "metrics.json"), { ok: true });
    expect(readdirSync(dir).sort()).toEqual([
      `.metrics.json.${process.pid}.0123456789ab.tmp`,
      "metrics.json",
    ]);
  });

  it("keeps the previous file and no temp file when the value cannot be serialised", () => {
    mkdirSync(dir, { recursive: true });
    writeJsonAtomic(join(dir, "metrics.json"), { old: 1 });
    expect(() => writeJsonAtomic(join(dir, "metrics.json"), { big: 1n })).toThrow(/BigInt/);
    expect(JSON.parse(readFileSync(join(dir, "metrics.json"), "utf8"))).toEqual({ old: 1 });
    expect(readdirSync(dir)).toEqual(["metrics.json"]);
  });
});
