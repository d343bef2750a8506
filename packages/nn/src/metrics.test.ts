import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { accuracy, binaryAccuracy, categoricalAccuracy } from "./index";

describe("metrics", () => {
  it("accuracy counts equal labels", () => {
    expect(accuracy([1, 2, 3, 4], [1, 0, 3, 0])).toBe(0.5);
    expect(accuracy(np.array([1, 2, 3], { dtype: "int32" }), np.array([1, 2, 3], { dtype: "uint8" }))).toBe(
      1,
    );
    expect(() => accuracy([1, 2], [1])).toThrow(/2 predictions but 1 labels/);
  });

  it("binaryAccuracy thresholds probabilities (> threshold is class 1, as Keras)", () => {
    const p = np.array([[0.9], [0.4], [0.5], [0.51]]);
    expect(binaryAccuracy(p, [1, 0, 0, 1])).toBe(1);
    expect(binaryAccuracy(p, [1, 1, 1, 1])).toBe(0.5);
    expect(binaryAccuracy(np.array([2, -1, 0.5]), [1, 0, 1], 1)).toBe(2 / 3);
    // Logits with threshold 0.
    expect(binaryAccuracy(np.array([3, -2, 0.1, -0.1]), np.array([1, 0, 1, 1]), 0)).toBe(0.75);
  });

  it("categoricalAccuracy takes integer labels or one-hot rows", () => {
    const scores = np.array([
      [0.1, 2, -1],
      [5, 1, 1],
      [0, 0, 3],
      [1, 1, 0], // a tie goes to the first index
    ]);
    expect(categoricalAccuracy(scores, [1, 0, 2, 0])).toBe(1);
    expect(categoricalAccuracy(scores, [1, 1, 2, 1])).toBe(0.5);
    expect(categoricalAccuracy(scores, np.oneHot([1, 0, 0, 0], 3))).toBe(0.75);
    expect(() => categoricalAccuracy(scores, [1, 2])).toThrow(/4 samples of 3 classes need 4 labels/);
  });
});
