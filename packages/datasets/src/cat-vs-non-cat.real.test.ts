import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatVsNonCat } from "./cat-vs-non-cat";
import { CAT_DIR, missingDataMessage, SKIP_REAL_DATA } from "./test-support/real-data";

describe.skipIf(SKIP_REAL_DATA)("cat vs non-cat, real data", () => {
  it("is present next to the repository (../shared/datasets/catvnoncat)", () => {
    const files = ["train_catvnoncat.h5", "test_catvnoncat.h5"].map((f) => join(CAT_DIR, f));
    const missing = missingDataMessage(files, "The project keeps them in shared/datasets/catvnoncat");
    if (missing) throw new Error(missing);
  });

  it("has 209 training images (72 cats) and 50 test images of 64×64×3", async () => {
    const data = await loadCatVsNonCat({ dir: CAT_DIR });
    expect(data.train.images.shape).toEqual([209, 64, 64, 3]);
    expect(data.test.images.shape).toEqual([50, 64, 64, 3]);
    expect(data.train.images.dtype).toBe("uint8");
    expect(data.train.labels.shape).toEqual([209]);
    expect(Array.from(data.train.labels.dataSync()).filter((l) => l === 1)).toHaveLength(72);
    expect(data.test.labels.shape).toEqual([50]);
    expect(data.classNames).toEqual(["non-cat", "cat"]);
  });

  it("checks the declared sha256: one flipped label byte in a copy is rejected, verify: false loads it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chainrule-cat-"));
    try {
      copyFileSync(join(CAT_DIR, "test_catvnoncat.h5"), join(dir, "test_catvnoncat.h5"));
      const train = readFileSync(join(CAT_DIR, "train_catvnoncat.h5"));
      const original = await loadCatVsNonCat({ dir: CAT_DIR });
      const labels = Array.from(original.train.labels.dataSync());
      // The labels are stored as int64 little-endian, the last dataset's bytes: flip the last label's low byte.
      const pattern = Buffer.from(new BigInt64Array(labels.slice(-8).map(BigInt)).buffer);
      const at = train.lastIndexOf(pattern);
      expect(at).toBeGreaterThan(0);
      train[at + 7 * 8]! ^= 1;
      writeFileSync(join(dir, "train_catvnoncat.h5"), train);
      await expect(loadCatVsNonCat({ dir })).rejects.toThrow(
        `${join(dir, "train_catvnoncat.h5")}: sha256 is ${createHash("sha256").update(train).digest("hex")}, expected fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242`,
      );
      const modified = await loadCatVsNonCat({ dir, verify: false });
      expect(modified.train.labels.dataSync()[208]).toBe(1 - labels[208]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
