import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
});
