import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadCatVsNonCat } from "./cat-vs-non-cat";
import { type CatFileSpec, writeCatFile } from "./test-support/cat-fixture";
import { useTempDirs } from "./test-support/temp-dir";

describe("loadCatVsNonCat on synthetic HDF5 files", () => {
  const tempDir = useTempDirs();
  afterEach(() => vi.unstubAllEnvs());

  async function writeCatPair(
    dir: string,
    train: Partial<CatFileSpec> = {},
    test: Partial<CatFileSpec> = {},
  ) {
    mkdirSync(dir, { recursive: true });
    await writeCatFile(join(dir, "train_catvnoncat.h5"), { prefix: "train_set", n: 4, ...train });
    await writeCatFile(join(dir, "test_catvnoncat.h5"), { prefix: "test_set", n: 2, ...test });
    return dir;
  }
  const catDir = (train: Partial<CatFileSpec> = {}, test: Partial<CatFileSpec> = {}) =>
    writeCatPair(tempDir(), train, test);

  it("reads uint8 images, int64 labels as int32 numbers, and the class names", async () => {
    const dir = await catDir({ labels: [1n, 0n, 1n, 1n] });
    const data = await loadCatVsNonCat({ verify: false, dir });
    expect(data.train.images.shape).toEqual([4, 64, 64, 3]);
    expect(data.train.images.dtype).toBe("uint8");
    expect(data.train.images.dataSync()[257]).toBe(1);
    expect(data.test.images.shape).toEqual([2, 64, 64, 3]);
    expect(data.train.labels.dtype).toBe("int32");
    expect(Array.from(data.train.labels.dataSync())).toEqual([1, 0, 1, 1]);
    expect(data.classNames).toEqual(["non-cat", "cat"]);
  });

  it("searches the dir option, then CHAINRULE_DATA_DIR/catvnoncat, then the cache", async () => {
    const [root, cache] = [tempDir(), tempDir()];
    await writeCatPair(join(root, "catvnoncat"), { n: 3 });
    await writeCatPair(join(cache, "catvnoncat"), { n: 5 });
    const trainCount = async (dir?: string) =>
      (await loadCatVsNonCat({ verify: false, dir, cacheDir: cache })).train.images.shape[0];
    vi.stubEnv("CHAINRULE_DATA_DIR", root);
    expect(await trainCount(await catDir({ n: 6 }))).toBe(6);
    expect(await trainCount()).toBe(3);
    vi.stubEnv("CHAINRULE_DATA_DIR", "");
    expect(await trainCount()).toBe(5);
  });

  it("says where it looked when the files are missing", async () => {
    vi.stubEnv("CHAINRULE_DATA_DIR", "");
    const dir = tempDir();
    await expect(loadCatVsNonCat({ verify: false, dir, cacheDir: tempDir() })).rejects.toThrow(
      /train_catvnoncat.h5 not found in .*\(dir option\), .*catvnoncat \(cache\)/,
    );
  });

  it("names a file that is not HDF5", async () => {
    const dir = await catDir();
    writeFileSync(join(dir, "test_catvnoncat.h5"), "<html>not found</html>\n");
    await expect(loadCatVsNonCat({ verify: false, dir })).rejects.toThrow(
      `${join(dir, "test_catvnoncat.h5")}: is not an HDF5 file (no HDF5 signature)`,
    );
  });

  it("names a truncated HDF5 file", async () => {
    const dir = await catDir();
    const file = join(dir, "train_catvnoncat.h5");
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    await expect(loadCatVsNonCat({ verify: false, dir })).rejects.toThrow(
      `${file}: could not be read as HDF5`,
    );
  });

  it("names a missing dataset and the file", async () => {
    const dir = await catDir({ omit: ["train_set_y"] });
    await expect(loadCatVsNonCat({ verify: false, dir })).rejects.toThrow(
      /train_catvnoncat.h5: has no dataset 'train_set_y' \(it has: list_classes, train_set_x\)/,
    );
  });

  it("reports wrong shapes", async () => {
    await expect(
      loadCatVsNonCat({ verify: false, dir: await catDir({ pixel: [32, 32, 3] }) }),
    ).rejects.toThrow(
      /train_catvnoncat.h5: train_set_x has shape \[4, 32, 32, 3\], expected \[N, 64, 64, 3\]/,
    );
    await expect(
      loadCatVsNonCat({ verify: false, dir: await catDir({}, { labels: [0n, 1n, 1n] }) }),
    ).rejects.toThrow(/test_catvnoncat.h5: test_set_y has shape \[3\], expected \[2\] to match test_set_x/);
  });

  it("rejects labels that are not class indices", async () => {
    await expect(
      loadCatVsNonCat({ verify: false, dir: await catDir({ labels: [0n, 1n, 2n, 0n] }) }),
    ).rejects.toThrow(/train_set_y\[2\] is 2, not a class index in 0..1/);
  });
});
