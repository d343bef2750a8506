import { array, NDArray } from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { flattenImages, normalizeImages, oneHotLabels } from "./transforms";

describe("image helpers", () => {
  const images = new NDArray(Uint8Array.from([0, 51, 255, 102, 0, 255, 0, 0]), [2, 2, 2], "uint8");

  it("normalizes bytes to [0, 1] float32 by default", () => {
    const out = normalizeImages(images);
    expect(out.dtype).toBe("float32");
    expect(out.shape).toEqual([2, 2, 2]);
    expect(Array.from(out.dataSync())).toEqual(Array.from(images.dataSync(), (v) => Math.fround(v / 255)));
  });

  it("applies mean and std after scaling", () => {
    const out = normalizeImages(images, { mean: 0.5, std: 0.5, dtype: "float64" });
    expect(Array.from(out.dataSync())[2]).toBeCloseTo(1, 12);
    expect(Array.from(out.dataSync())[0]).toBeCloseTo(-1, 12);
    expect(() => normalizeImages(images, { std: 0 })).toThrow(/std/);
  });

  it("flattens all but the first axis", () => {
    expect(flattenImages(images).shape).toEqual([2, 4]);
  });

  it("one-hot encodes labels and names a bad one", () => {
    expect(oneHotLabels(array([2, 0], { dtype: "int32" }), 3).toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(oneHotLabels([1], 2, "int32").dtype).toBe("int32");
    expect(() => oneHotLabels([0, 3], 3)).toThrow(/label 3 at index 1/);
  });
});
