import { describe, expect, it } from "vitest";
import { allocate } from "./dtype";
import { array } from "./creation";

describe("small arrays share slabs", () => {
  it("gives zeroed, disjoint, aligned views for small sizes", () => {
    const arrays = [3, 25, 50, 17, 100].flatMap((n) => [allocate("float32", n), allocate("float64", n)]);
    arrays.forEach((a) => expect(Array.from(a).every((v) => v === 0)).toBe(true));
    arrays.forEach((a) => expect(a.byteOffset % 16).toBe(0));
    // Filling each with its own value leaves every other intact: no two overlap.
    arrays.forEach((a, i) => a.fill(i + 1));
    arrays.forEach((a, i) => expect(Array.from(a).every((v) => v === i + 1)).toBe(true));
    expect(new Set(arrays.map((a) => a.buffer)).size).toBeLessThan(arrays.length);
  });

  it("keeps tiny (≤ 64 bytes, V8's own heap) and large (> 1 KiB) arrays in buffers of their own", () => {
    for (const a of [allocate("float32", 16), allocate("uint8", 64), allocate("float64", 129)]) {
      expect(a.byteOffset).toBe(0);
      expect(a.buffer.byteLength).toBe(a.byteLength);
    }
  });

  it("hands out copies the caller owns, not the slab", () => {
    const x = array(
      Array.from({ length: 40 }, (_, i) => i),
      { dtype: "float32" },
    );
    const y = array(
      Array.from({ length: 40 }, () => 7),
      { dtype: "float32" },
    );
    const copy = x.toTypedArray();
    copy.fill(-1);
    expect(x.dataSync()[39]).toBe(39);
    expect(y.dataSync()[0]).toBe(7);
  });
});
