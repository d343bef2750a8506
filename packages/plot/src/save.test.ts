import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lineChart, save } from "./node.js";
import { writeAtomic } from "./save.js";
import { pngInfo } from "./testing.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "chainrule-plot-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const chart = lineChart({ title: "Saved chart", series: { y: [3, 2, 1] } });

describe("save", () => {
  it("writes name.svg and name.png and leaves no temporary files", async () => {
    const files = await save(chart, join(dir, "loss"));
    expect(files).toEqual({ svg: join(dir, "loss.svg"), png: join(dir, "loss.png") });
    expect((await readdir(dir)).sort()).toEqual(["loss.png", "loss.svg"]);
    expect(await readFile(files.svg, "utf8")).toContain("Saved chart");
    const { width } = await pngInfo(await readFile(files.png));
    expect(width).toBeGreaterThan(1000);
  });

  it("overwrites existing pictures", async () => {
    await writeFile(join(dir, "loss.svg"), "old");
    await writeFile(join(dir, "loss.png"), "old");
    await save(chart, join(dir, "loss.png")); // an extension on the path is ignored
    expect(await readFile(join(dir, "loss.svg"), "utf8")).toMatch(/^<svg/);
    await pngInfo(await readFile(join(dir, "loss.png")));
    expect((await readdir(dir)).sort()).toEqual(["loss.png", "loss.svg"]);
  });

  it("creates missing directories and honours the density", async () => {
    const files = await save(chart, join(dir, "a", "b", "cost"), { density: 72 });
    const { width } = await pngInfo(await readFile(files.png));
    expect(width).toBeLessThan(800); // 1x instead of 2x
  });

  it("does not touch existing pictures when rendering fails", async () => {
    await writeFile(join(dir, "loss.svg"), "old");
    const broken = { kind: "line" as const, spec: { mark: "no-such-mark", data: { values: [] } } };
    await expect(save(broken, join(dir, "loss"))).rejects.toThrow();
    expect(await readFile(join(dir, "loss.svg"), "utf8")).toBe("old");
    expect(await readdir(dir)).toEqual(["loss.svg"]);
  });
});

describe("writeAtomic", () => {
  it("removes temp files a killed writer left (issue 19), keeping those of live writers", async () => {
    // A pid that is certainly dead: a child that has already exited.
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
    await writeFile(join(dir, `.loss.png.${deadPid}.abcdef01.tmp`), "half a picture");
    await writeFile(join(dir, `.loss.png.${process.pid}.0123abcd.tmp`), "being written");
    await writeFile(join(dir, `.other.png.${deadPid}.abcdef01.tmp`), "another file's");
    await save(chart, join(dir, "loss"));
    expect((await readdir(dir)).sort()).toEqual([
      `.loss.png.${process.pid}.0123abcd.tmp`,
      `.other.png.${deadPid}.abcdef01.tmp`,
      "loss.png",
      "loss.svg",
    ]);
  });

  it("removes its temp file when the final rename fails", async () => {
    // Renaming a file over a non-empty directory fails after the temp file has been written.
    await mkdir(join(dir, "blocked"));
    await writeFile(join(dir, "blocked", "inside"), "");
    await expect(writeAtomic(join(dir, "blocked"), "new")).rejects.toThrow();
    expect((await stat(join(dir, "blocked"))).isDirectory()).toBe(true);
    expect(await readdir(dir)).toEqual(["blocked"]);
  });
});
