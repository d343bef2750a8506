import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FASHION_MNIST_CLASS_NAMES, loadFashionMnist, locateFashionMnist } from "./fashion-mnist";
import { defaultCacheDir } from "./locations";
import { startTestServer, type TestServer } from "./test-support/http-fixture";
import { fashionLike, writeFashionLike } from "./test-support/fashion-fixture";
import { useTempDirs } from "./test-support/temp-dir";

// These tests use small synthetic files, so they pass verify: false (their checksums are not Fashion-MNIST's).
describe("loadFashionMnist on synthetic files", () => {
  const tempDir = useTempDirs();
  let cache: string;
  beforeEach(() => {
    vi.stubEnv("CHAINRULE_DATA_DIR", "");
    cache = tempDir();
  });
  afterEach(() => vi.unstubAllEnvs());

  it("returns uint8 images [N, 28, 28], int32 labels and the class names", async () => {
    const dir = tempDir();
    writeFashionLike(dir, 12, 5);
    const data = await loadFashionMnist({
      dir,
      cacheDir: cache,
      systemDirs: [],
      download: false,
      verify: false,
    });
    expect(data.train.images.shape).toEqual([12, 28, 28]);
    expect(data.train.images.dtype).toBe("uint8");
    expect(data.test.images.shape).toEqual([5, 28, 28]);
    expect(data.train.labels.dtype).toBe("int32");
    expect(Array.from(data.train.labels.dataSync())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(data.train.images.dataSync()[28 * 28 * 3]).toBe(3);
    expect(data.classNames).toEqual([...FASHION_MNIST_CLASS_NAMES]);
    expect(data.classNames[9]).toBe("Ankle boot");
    expect(data.files.testLabels).toBe(join(dir, "t10k-labels-idx1-ubyte.gz"));
  });

  it("accepts uncompressed files", async () => {
    const dir = tempDir();
    writeFashionLike(dir, 3, 2, true);
    const data = await loadFashionMnist({
      dir,
      cacheDir: cache,
      systemDirs: [],
      download: false,
      verify: false,
    });
    expect(data.test.images.shape).toEqual([2, 28, 28]);
  });

  it("searches the dir option, CHAINRULE_DATA_DIR, the cache, then system dirs", async () => {
    const [explicit, dataRoot, system] = [tempDir(), tempDir(), tempDir()];
    writeFashionLike(explicit, 1, 1);
    writeFashionLike(join(dataRoot, "fashion-mnist"), 2, 1);
    writeFashionLike(join(cache, "fashion-mnist"), 3, 1);
    writeFashionLike(system, 4, 1);
    vi.stubEnv("CHAINRULE_DATA_DIR", dataRoot);
    const trainCount = async (dir?: string) =>
      (await loadFashionMnist({ dir, cacheDir: cache, systemDirs: [system], download: false, verify: false }))
        .train.images.shape[0];
    expect(await trainCount(explicit)).toBe(1);
    expect(await trainCount()).toBe(2);
    vi.stubEnv("CHAINRULE_DATA_DIR", "");
    expect(await trainCount()).toBe(3);
    rmSync(join(cache, "fashion-mnist"), { recursive: true });
    expect(await trainCount()).toBe(4);
    expect(locateFashionMnist({ cacheDir: cache, systemDirs: [system] }).trainImages).toBe(
      join(system, "train-images-idx3-ubyte.gz"),
    );
  });

  it("uses $XDG_CACHE_HOME/chainrule, else ~/.cache/chainrule", () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/xdg" })).toBe("/xdg/chainrule");
    expect(defaultCacheDir({ XDG_CACHE_HOME: "relative" })).toMatch(/\.cache\/chainrule$/);
    expect(defaultCacheDir({})).toMatch(/\.cache\/chainrule$/);
  });

  it("says where it looked when files are missing and download is off", async () => {
    const dir = tempDir();
    await expect(
      loadFashionMnist({ dir, cacheDir: cache, systemDirs: ["/nonexistent"], download: false }),
    ).rejects.toThrow(
      /train-images-idx3-ubyte.gz not found in .*\(dir option\).*\(cache\), \/nonexistent \(system\).*apt-get install dataset-fashion-mnist/,
    );
  });

  it("checks found files against Fashion-MNIST's checksums by default", async () => {
    const dir = tempDir();
    writeFashionLike(dir, 2, 2);
    await expect(loadFashionMnist({ dir, cacheDir: cache, systemDirs: [], download: false })).rejects.toThrow(
      /train-images-idx3-ubyte.gz: checksum mismatch: the decompressed content has sha256 [0-9a-f]{64}, Fashion-MNIST's train-images-idx3-ubyte has c59f468a/,
    );
  });

  it("rejects bad labels, mismatched counts and wrong image sizes, naming the file", async () => {
    const options = { cacheDir: cache, systemDirs: [], download: false, verify: false };
    const dir = tempDir();
    writeFashionLike(dir, 3, 2);
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(fashionLike(4).labels));
    await expect(loadFashionMnist({ ...options, dir })).rejects.toThrow(
      /train-labels-idx1-ubyte.gz: has 4 labels but .*train-images-idx3-ubyte.gz has 3 images/,
    );
    const bad = fashionLike(3).labels;
    bad[bad.length - 1] = 12;
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(bad));
    await expect(loadFashionMnist({ ...options, dir })).rejects.toThrow(
      /label 12 at index 2 is outside 0..9/,
    );
    writeFileSync(join(dir, "t10k-images-idx3-ubyte.gz"), gzipSync(fashionLike(2, 27).images));
    await expect(loadFashionMnist({ ...options, dir })).rejects.toThrow(
      /t10k-images-idx3-ubyte.gz: images are 27×27/,
    );
  });
});

describe("loadFashionMnist downloads", () => {
  const tempDir = useTempDirs();
  let server: TestServer;
  const files = fashionLike(3);
  beforeAll(async () => {
    server = await startTestServer({
      "/mirror/train-images-idx3-ubyte.gz": { body: gzipSync(files.images) },
      "/mirror/train-labels-idx1-ubyte.gz": { body: gzipSync(files.labels) },
      "/mirror/t10k-images-idx3-ubyte.gz": { body: gzipSync(files.images) },
      "/mirror/t10k-labels-idx1-ubyte.gz": { body: gzipSync(files.labels) },
      "/slow/train-images-idx3-ubyte.gz": { body: gzipSync(files.images), behaviour: "trickle" },
      "/slow/train-labels-idx1-ubyte.gz": { body: gzipSync(files.labels), behaviour: "trickle" },
      "/slow/t10k-images-idx3-ubyte.gz": { body: gzipSync(files.images), behaviour: "trickle" },
      "/slow/t10k-labels-idx1-ubyte.gz": { body: gzipSync(files.labels), behaviour: "trickle" },
    });
  });
  afterAll(() => server.close());
  afterEach(() => vi.unstubAllEnvs());

  it("fetches missing files from the mirror and keeps none that fail the checksum", async () => {
    vi.stubEnv("CHAINRULE_DATA_DIR", "");
    const cache = tempDir();
    const err = await loadFashionMnist({
      cacheDir: cache,
      systemDirs: [],
      baseUrl: `${server.url}/mirror/`,
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /\/mirror\/[a-z0-9-]+-ubyte\.gz: checksum mismatch for .*: expected md5 [0-9a-f]{32} or sha256\(gunzipped\) [0-9a-f]{64}/,
    );
    expect(server.requests.map((r) => r.path).sort()).toEqual([
      "/mirror/t10k-images-idx3-ubyte.gz",
      "/mirror/t10k-labels-idx1-ubyte.gz",
      "/mirror/train-images-idx3-ubyte.gz",
      "/mirror/train-labels-idx1-ubyte.gz",
    ]);
    const dir = join(cache, "fashion-mnist");
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it("passes the download limits through: a mirror trickling 1 byte every 0.5 s fails fast", async () => {
    vi.stubEnv("CHAINRULE_DATA_DIR", "");
    const cache = tempDir();
    const t0 = Date.now();
    const err = await loadFashionMnist({
      cacheDir: cache,
      systemDirs: [],
      baseUrl: `${server.url}/slow`,
      minBytesPerSecond: 50,
      rateWindowMs: 800,
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^${server.url}/slow/train-images-idx3-ubyte\\.gz: interrupted after \\d+ bytes \\(slower than the minimum of 50 bytes/s`,
      ),
    );
    expect(Date.now() - t0).toBeLessThan(10_000);
    const late = await loadFashionMnist({
      cacheDir: cache,
      systemDirs: [],
      baseUrl: `${server.url}/slow`,
      deadlineMs: 700,
      minBytesPerSecond: 0,
    }).catch((e: Error) => e);
    expect((late as Error).message).toMatch(
      /slow\/train-images-idx3-ubyte\.gz: interrupted after \d+ bytes \(not finished within the 700 ms deadline\)/,
    );
  });
});
