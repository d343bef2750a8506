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
});
