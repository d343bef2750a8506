import { describe, expect, it } from "vitest";
import { backendName } from "../testing/backend";
import { at, expectArray, expectError } from "../testing/helpers";
import * as np from "../index";

/** x[i, j] = 10 i + j, float64, shape [4, 5]. */
const x = np.array(
  Array.from({ length: 20 }, (_, f) => 10 * Math.floor(f / 5) + (f % 5)),
  { dtype: "float64", shape: [4, 5] },
);

/** Reference for one axis: the indices Python's range(start, stop, step) visits. */
function pyRange(start: number, stop: number, step: number): number[] {
  const out: number[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(i);
  else for (let i = start; i > stop; i += step) out.push(i);
  return out;
}

describe(`slice [${backendName}]`, () => {
  it("takes start:stop:step per axis, as a view of the same buffer", () => {
    const s = np.slice(x, "1:3, 0:5:2");
    expect(s.buffer).toBe(x.buffer);
    expectArray(s, [
      [10, 12, 14],
      [20, 22, 24],
    ]);
    expect(s.offset).toBe(5);
    expect(s.strides).toEqual([5, 2]);
  });

  it("accepts negative indices and negative steps", () => {
    expectArray(np.slice(x, "-1"), [30, 31, 32, 33, 34]);
    expectArray(np.slice(x, "::-1, -1"), [34, 24, 14, 4]);
    expectArray(np.slice(x, "-2:, -3:-1"), [
      [22, 23],
      [32, 33],
    ]);
    expectArray(np.slice(x, "0, ::-2"), [4, 2, 0]);
    expectArray(np.slice(x, "0, 3:0:-1"), [3, 2, 1]);
    expectArray(np.slice(x, "0, -1:-4:-2"), [4, 2]);
    expect(np.slice(x, "::-1").strides).toEqual([-5, 1]);
  });

  it("integer indices drop their axis; '...' and missing trailing axes mean 'all'", () => {
    expectArray(np.slice(x, "2, 3"), 23);
    expect(np.slice(x, "1").shape).toEqual([5]);
    expectArray(np.slice(x, "..., 1"), [1, 11, 21, 31]);
    expectArray(np.slice(x, "1, ..."), [10, 11, 12, 13, 14]);
    const y = np.reshape(np.arange(24, undefined, undefined, "float64"), [2, 3, 4]);
    expectArray(np.slice(y, "1, ..., 2"), [14, 18, 22]);
    expect(np.slice(y, "...").shape).toEqual([2, 3, 4]);
    expect(np.slice(y, ":").shape).toEqual([2, 3, 4]);
    expect(np.slice(y, "::-1, ...").buffer).toBe(y.buffer); // int index + reshape is still a view
    expect(np.slice(y, "::-1, 0").buffer).toBe(y.buffer);
  });

  it("accepts the array form: numbers, null, [start, stop, step], {start, stop, step}, '...'", () => {
    expectArray(
      np.slice(x, [
        [1, 3],
        [null, null, -2],
      ]),
      [
        [14, 12, 10],
        [24, 22, 20],
      ],
    );
    expectArray(np.slice(x, [null, 2]), [2, 12, 22, 32]);
    expectArray(np.slice(x, [{ start: -1 }, { stop: 2 }]), [[30, 31]]);
    expectArray(np.slice(x, ["...", [4]]), [[4], [14], [24], [34]]);
    expectArray(x.slice("3, 4"), 34);
  });

  it("gives empty axes for empty ranges, and stop = size is allowed", () => {
    expect(np.slice(x, "3:1").shape).toEqual([0, 5]);
    expect(np.slice(x, "4:").shape).toEqual([0, 5]);
    expect(np.slice(x, "1:3:-1").shape).toEqual([0, 5]);
    expect(np.slice(x, ":, 5:").shape).toEqual([4, 0]);
    expectArray(np.slice(x, "3:4, 4:5"), [[34]]);
  });

  it("agrees with Python's range() for every start/stop/step on an axis", () => {
    const v = np.arange(7, undefined, undefined, "float64");
    for (let start = -7; start <= 7; start++)
      for (let stop = -7; stop <= 7; stop++)
        for (const step of [-3, -2, -1, 1, 2, 3]) {
          const norm = (i: number) => (i < 0 ? i + 7 : i);
          let s = norm(start);
          if (step < 0 && s === 7) s = 6; // NumPy starts a reversed slice at the last element
          const want = pyRange(s, norm(stop), step);
          const got = np.slice(v, [[start, stop, step]]);
          expect(got.shape, `${start}:${stop}:${step}`).toEqual([want.length]);
          expect(
            want.map((_, i) => at(got, [i])),
            `${start}:${stop}:${step}`,
          ).toEqual(want);
        }
  });

  it("composes: slices of slices of transposed arrays", () => {
    const t = np.slice(np.transpose(x), "::-1, 1:"); // t[i, j] = x[1 + j, 4 - i]
    const tt = np.slice(t, "1:4:2, ::-1");
    expect(tt.shape).toEqual([2, 3]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++) expect(at(tt, [i, j])).toBe(10 * (1 + (2 - j)) + (4 - (1 + 2 * i)));
  });

  it("throws for out-of-range bounds and indices (no clamping), naming values and shape", () => {
    expectError(() => np.slice(x, "5"), RangeError, "slice", "index 5", "size 4", "[4, 5]");
    expectError(() => np.slice(x, "-5"), RangeError, "slice", "-5");
    expectError(() => np.slice(x, "0:6"), RangeError, "slice", "stop 6", "axis 0");
    expectError(() => np.slice(x, ":, -6:"), RangeError, "slice", "start -6", "axis 1", "size 5");
    expectError(() => np.slice(x, "::0"), RangeError, "slice", "step 0");
    expectError(() => np.slice(x, "1, 2, 3"), np.ShapeError, "slice", "3 indices", "[4, 5]");
    expectError(() => np.slice(x, "..., ..."), SyntaxError, "slice", "...");
    expectError(() => np.slice(x, "1:2:3:4"), SyntaxError, "slice", "1:2:3:4");
    expectError(() => np.slice(x, "a"), SyntaxError, "slice", "a");
    expectError(() => np.slice(x, "1.5"), SyntaxError, "slice", "1.5");
    expectError(() => np.slice(x, [1.5]), RangeError, "slice", "1.5");
    expectError(() => np.slice(x, [undefined as never]), TypeError, "slice", "axis 0");
  });

  it("stridedSlice is the primitive: explicit starts, steps and shape", () => {
    const s = np.stridedSlice(x, [3, 1], [-1, 2], [2, 2]);
    expectArray(s, [
      [31, 33],
      [21, 23],
    ]);
    expect(s.buffer).toBe(x.buffer);
  });
});
