import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "@chainrule/app-kit";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { run } from "./makemore";
import { ALPHABET, encodeStream, loadWords, splitWords } from "./words";

/** Entropy (nats) of the stream's character frequencies: what a model that ignores context can reach. */
function unigramEntropy(stream: Int32Array): number {
  const counts = new Array<number>(ALPHABET.length).fill(0);
  for (const c of stream) counts[c]!++;
  return -counts
    .filter((c) => c > 0)
    .reduce((h, c) => h + (c / stream.length) * Math.log(c / stream.length), 0);
}

describe("word list", () => {
  it("names the file and the Debian package when the file is missing or differs", () => {
    const dir = mkdtempSync(join(tmpdir(), "makemore-"));
    try {
      expect(() => loadWords(join(dir, "words"))).toThrow(
        /makemore: .*words is missing: .*apt-get install wamerican/,
      );
      writeFileSync(join(dir, "words"), "cat\ndog\n");
      expect(() => loadWords(join(dir, "words"))).toThrow(
        /words has sha256 [0-9a-f]{64}, expected .*wamerican/,
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("splits the words by seed into disjoint sets and encodes them with '.' between words", () => {
    const words = ["ab", "cd", "ef", "gh", "ij", "kl", "mn", "op", "qr", "st"];
    const a = splitWords(words, 0.2, 3);
    expect(a).toEqual(splitWords(words, 0.2, 3));
    expect(a.val.length).toBe(2);
    expect([...a.train, ...a.val].sort()).toEqual(words);
    expect([...encodeStream(["ab", "z"])]).toEqual([0, 1, 2, 0, 26, 0]);
  });
});

describe("makemore", () => {
  it("a short real training on the word list gets below the context-free (unigram) entropy", async () => {
    const out = mkdtempSync(join(tmpdir(), "makemore-run-"));
    try {
      const { metrics, split } = await run({
        steps: 150,
        batchSize: 32,
        blockSize: 16,
        dim: 32,
        heads: 4,
        layers: 2,
        lr: 3e-3,
        seed: 0,
        out,
        eager: false,
        progress: "none",
        evalEvery: 75,
        log: () => {},
      });
      const uniform = Math.log(ALPHABET.length);
      const unigram = unigramEntropy(encodeStream(split.train));
      expect(unigram).toBeLessThan(uniform);
      // Beating the unigram entropy needs the model to use the preceding characters.
      expect(metrics.valLoss).toBeLessThan(unigram - 0.1);
      expect(metrics.samples.every((w) => /^[a-z]*$/.test(w))).toBe(true);
      expect(readFileSync(join(out, "loss.svg"), "utf8")).toContain("<svg");
      expect(readFileSync(join(out, "model.safetensors")).length).toBeGreaterThan(4 * 20_000);
    } finally {
      rmSync(out, { recursive: true });
    }
  });

  it.each([
    ["traced", false],
    ["eager", true],
  ])("trains on webgpu (%s) as on the js backend, reading losses at log steps only", async (_, eager) => {
    // SwiftShader (Debian's chromium) when the machine has no GPU; a machine's own setting wins.
    process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";
    const out = mkdtempSync(join(tmpdir(), "makemore-gpu-"));
    const words = loadWords().slice(0, 4000);
    const common = {
      ...{ steps: 4, batchSize: 8, blockSize: 8, dim: 16, heads: 2, layers: 1, lr: 1e-2, seed: 1 },
      ...{ valWindows: 64, samples: { perLog: 1, final: 2 } },
    };
    const go = async (backend: "js" | "webgpu") => {
      const previous = np.getBackend();
      await selectBackend(backend);
      try {
        const dir = join(out, backend);
        const opts = {
          ...common,
          out: dir,
          eager,
          progress: "none" as const,
          evalEvery: 2,
          log: () => {},
          words,
        };
        return (await run(opts)).metrics;
      } finally {
        np.setBackend(previous);
      }
    };
    try {
      const js = await go("js");
      const gpu = await go("webgpu");
      expect(gpu.history.map((h) => h.step)).toEqual([2, 4]);
      gpu.history.forEach((h, i) => {
        expect(Math.abs(h.train - js.history[i]!.train)).toBeLessThan(1e-4);
        expect(Math.abs(h.val - js.history[i]!.val)).toBeLessThan(1e-4);
      });
      expect(gpu.samples.every((w) => /^[a-z]*$/.test(w))).toBe(true);
      // The test can fail: two more AdamW steps moved the validation loss (same windows) beyond the tolerance.
      expect(Math.abs(js.history[1]!.val - js.history[0]!.val)).toBeGreaterThan(1e-3);
    } finally {
      rmSync(out, { recursive: true });
    }
  });
});
