import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lineChart, save } from "./node.js";
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
