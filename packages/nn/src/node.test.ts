import * as np from "@chainrule/ndarray";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import * as fsp from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Dense, SafetensorsError, Sequential, StateDictError, parseSafetensors, saveWeights } from "./index";
import { loadSafetensorsFile, readSafetensorsFile, saveSafetensorsFile } from "./node";

// Wrap the real fs so single calls can be made to fail (a full disk, a crash mid-write).
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  return { ...real, open: vi.fn(real.open), rename: vi.fn(real.rename) };
});

const dir = mkdtempSync(join(tmpdir(), "chainrule-nn-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const model = (seed: number) =>
  new Sequential([new Dense(4, { inputDim: 3 }), new Dense(2, { inputDim: 4 })], { seed });
const snapshot = (m: Sequential) => JSON.stringify(m.variables().map((v) => Array.from(v.dataSync())));

describe("@chainrule/nn/node", () => {
  it("saves a module and loads it back into another", async () => {
    const path = join(dir, "model.safetensors");
    const a = model(1);
    await saveSafetensorsFile(a, path, { metadata: { task: "test" } });
    expect(readFileSync(path)).toEqual(Buffer.from(saveWeights(a, { metadata: { task: "test" } })));
    const b = model(2);
    await loadSafetensorsFile(b, path);
    expect(snapshot(b)).toBe(snapshot(a));
    const { tensors, metadata } = await readSafetensorsFile(path);
    expect(metadata.task).toBe("test");
    expect(Object.keys(tensors).sort()).toEqual([
      "layers.0.bias",
      "layers.0.kernel",
      "layers.1.bias",
      "layers.1.kernel",
    ]);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("saves plain named arrays and overwrites an existing file", async () => {
    const path = join(dir, "arrays.safetensors");
    writeFileSync(path, "old contents");
    await saveSafetensorsFile({ x: np.array([1, 2, 3], { dtype: "int32" }) }, path);
    expect(parseSafetensors(readFileSync(path)).tensors.x!.toArray()).toEqual([1, 2, 3]);
  });

  it("leaves the old file intact and no temporary file when a write fails half way", async () => {
    const path = join(dir, "crash.safetensors");
    const old = model(1);
    await saveSafetensorsFile(old, path);
    const before = readFileSync(path);
    const real = await vi.importActual<typeof import("node:fs/promises")>("node:fs/promises");
    vi.mocked(fsp.open).mockImplementationOnce(async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args);
      // Write the first half for real, then fail like a full disk.
      handle.writeFile = (async (data: Uint8Array) => {
        await handle.write(data.subarray(0, data.length >> 1));
        throw Object.assign(new Error("ENOSPC: no space left on device (simulated)"), { code: "ENOSPC" });
      }) as typeof handle.writeFile;
      return handle;
    });
    await expect(saveSafetensorsFile(model(2), path)).rejects.toThrow(/ENOSPC/);
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(dir).filter((f) => f.includes("crash") && f !== "crash.safetensors")).toEqual([]);
  });

  it("loads all or nothing from a hostile file", async () => {
    const path = join(dir, "hostile.safetensors");
    const bytes = saveWeights(model(3));
    writeFileSync(path, bytes.subarray(0, bytes.length - 5));
    const target = model(1);
    const before = snapshot(target);
    await expect(loadSafetensorsFile(target, path)).rejects.toThrow(SafetensorsError);
    writeFileSync(path, saveWeights(new Sequential([new Dense(4, { inputDim: 3 })])));
    await expect(loadSafetensorsFile(target, path)).rejects.toThrow(StateDictError);
    expect(snapshot(target)).toBe(before);
    await expect(loadSafetensorsFile(target, join(dir, "missing.safetensors"))).rejects.toThrow(/ENOENT/);
  });

  it("names the file in every load error", async () => {
    const path = join(dir, "named.safetensors");
    writeFileSync(path, saveWeights(model(3)).subarray(0, 20));
    await expect(readSafetensorsFile(path)).rejects.toThrow(`${path}: safetensors:`);
    writeFileSync(path, saveWeights(new Sequential([new Dense(4, { inputDim: 3 })])));
    const err = await loadSafetensorsFile(model(1), path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateDictError);
    expect((err as Error).message.startsWith(`${path}: `)).toBe(true);
  });

  it("refuses a file over 2 GiB with a safetensors error stating the limit (a sparse file)", async () => {
    const path = join(dir, "huge.safetensors");
    writeFileSync(path, saveWeights(model(1)));
    truncateSync(path, 2 ** 31 + 8); // sparse: no 2 GiB is written
    await expect(readSafetensorsFile(path)).rejects.toThrow(
      new SafetensorsError(
        `${path}: safetensors: the file is ${2 ** 31 + 8} bytes; files over 2147483647 bytes (2 GiB) cannot be loaded`,
      ),
    );
    rmSync(path);
  });

  it("rejects NaN/Infinity weights by default and loads them with checkFinite: false", async () => {
    const path = join(dir, "nan.safetensors");
    const bad = model(4);
    bad.variables()[1]!.dataSync()[1] = NaN;
    await saveSafetensorsFile(bad, path);
    const target = model(1);
    const before = snapshot(target);
    const err = await loadSafetensorsFile(target, path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SafetensorsError);
    expect((err as Error).message).toMatch(
      /nan\.safetensors: safetensors: tensor '.*' holds NaN at flat index 1/,
    );
    expect(snapshot(target)).toBe(before);
    await loadSafetensorsFile(target, path, { checkFinite: false });
    expect(Number.isNaN(target.variables()[1]!.dataSync()[1])).toBe(true);
  });

  it("removes temp files that killed writers left behind, and keeps those of live ones", async () => {
    const path = join(dir, "stale.safetensors");
    // A pid that is certainly dead: a child that has already exited.
    const dead = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    const deadPid = Number(dead.stdout.trim());
    const stale = join(dir, `.stale.safetensors.${deadPid}.abcdef012345.tmp`);
    const live = join(dir, `.stale.safetensors.${process.pid}.0123456789ab.tmp`);
    writeFileSync(stale, "half a model");
    writeFileSync(live, "being written");
    await saveSafetensorsFile(model(1), path);
    const left = readdirSync(dir).filter((f) => f.startsWith(".stale.safetensors."));
    expect(left).toEqual([`.stale.safetensors.${process.pid}.0123456789ab.tmp`]);
    rmSync(live);
  });
});
