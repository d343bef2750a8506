import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadFashionMnist, locateFashionMnist } from "./fashion-mnist";
import { startTestServer, type TestServer } from "./test-support/http-fixture";
import { FASHION_MNIST_DIR, missingDataMessage, SKIP_REAL_DATA } from "./test-support/real-data";
import { useTempDirs } from "./test-support/temp-dir";

const NAMES = [
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
];
const FILES = NAMES.map((n) => join(FASHION_MNIST_DIR, `${n}.gz`));

function histogram(labels: ArrayLike<number>): number[] {
  const out = new Array<number>(10).fill(0);
  for (let i = 0; i < labels.length; i++) out[labels[i]!]!++;
  return out;
}

describe.skipIf(SKIP_REAL_DATA)("Fashion-MNIST, real data", () => {
  const tempDir = useTempDirs();
  afterEach(() => vi.unstubAllEnvs());

  it("is installed (CI runs apt-get install dataset-fashion-mnist)", () => {
    const missing = missingDataMessage(FILES, "Install it with apt-get install dataset-fashion-mnist");
    if (missing) throw new Error(missing);
  });

  it("loads 60,000 + 10,000 verified images with 6,000 / 1,000 of each class", async () => {
    vi.stubEnv("CHAINRULE_DATA_DIR", "");
    const cache = tempDir();
    // Found through the default search (system dir), not an explicit path.
    expect(locateFashionMnist({ cacheDir: cache }).trainImages).toBe(FILES[0]);
    const data = await loadFashionMnist({ cacheDir: cache, download: false });
    expect(data.train.images.shape).toEqual([60000, 28, 28]);
    expect(data.test.images.shape).toEqual([10000, 28, 28]);
    expect(data.train.images.dtype).toBe("uint8");
    expect(data.train.labels.shape).toEqual([60000]);
    expect(histogram(data.train.labels.dataSync())).toEqual(new Array(10).fill(6000));
    expect(histogram(data.test.labels.dataSync())).toEqual(new Array(10).fill(1000));
    expect(data.classNames).toHaveLength(10);
  });

  describe("download path, served from 127.0.0.1", () => {
    let server: TestServer;
    beforeAll(async () => {
      const routes: Parameters<typeof startTestServer>[0] = {};
      NAMES.forEach((name, i) => {
        const body = readFileSync(FILES[i]!);
        routes[`/good/${name}.gz`] = { body };
        routes[`/flaky/${name}.gz`] = {
          body,
          behaviour: name.startsWith("train-images") ? "drop-once" : "good",
        };
        routes[`/corrupt/${name}.gz`] = {
          body,
          behaviour: name.startsWith("t10k-images") ? "corrupt" : "good",
        };
      });
      server = await startTestServer(routes);
    });
    afterAll(() => server?.close());

    // Debian's .gz files differ from upstream's, so these pass on the checksum of their content.
    it("downloads and verifies into the cache", async () => {
      vi.stubEnv("CHAINRULE_DATA_DIR", "");
      const cache = tempDir();
      const data = await loadFashionMnist({ cacheDir: cache, systemDirs: [], baseUrl: `${server.url}/good` });
      expect(data.train.images.shape).toEqual([60000, 28, 28]);
      expect(readdirSync(join(cache, "fashion-mnist")).sort()).toEqual(NAMES.map((n) => `${n}.gz`).sort());
      expect(data.files.trainImages).toBe(join(cache, "fashion-mnist", "train-images-idx3-ubyte.gz"));
    });

    it("completes on a rerun after an interrupted download", async () => {
      vi.stubEnv("CHAINRULE_DATA_DIR", "");
      const cache = tempDir();
      const options = { cacheDir: cache, systemDirs: [], baseUrl: `${server.url}/flaky` };
      await expect(loadFashionMnist(options)).rejects.toThrow(/train-images-idx3-ubyte.gz: interrupted/);
      expect(readdirSync(join(cache, "fashion-mnist"))).toContainEqual(
        expect.stringMatching(/^\.train-images-idx3-ubyte\.gz\.\d+\.[0-9a-f]+\.part$/),
      );
      const data = await loadFashionMnist(options);
      expect(histogram(data.train.labels.dataSync())).toEqual(new Array(10).fill(6000));
      expect(readdirSync(join(cache, "fashion-mnist")).filter((f) => f.endsWith(".part"))).toEqual([]);
    });

    it("rejects a corrupted file and leaves nothing of it", async () => {
      vi.stubEnv("CHAINRULE_DATA_DIR", "");
      const cache = tempDir();
      await expect(
        loadFashionMnist({ cacheDir: cache, systemDirs: [], baseUrl: `${server.url}/corrupt` }),
      ).rejects.toThrow(/\/corrupt\/t10k-images-idx3-ubyte.gz: checksum mismatch/);
      expect(readdirSync(join(cache, "fashion-mnist")).filter((f) => f.startsWith("t10k-images"))).toEqual(
        [],
      );
    });
  });
});
