import { describe, expect, it } from "vitest";
import { backendName } from "../testing/backend";
import { expectArray, expectError } from "../testing/helpers";
import * as np from "../index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });

describe(`where [${backendName}]`, () => {
  it("selects elementwise with broadcasting of all three operands", () => {
    const c = np.array([true, false, true]);
    expectArray(np.where(c, f64([1, 2, 3]), f64([10, 20, 30])), [1, 20, 3], { dtype: "float64" });
    expectArray(np.where(np.array([[true], [false]]), f64([1, 2]), -1), [
      [1, 2],
      [-1, -1],
    ]);
    expectArray(np.where(np.array(false), f64([1, 2]), f64([[5], [6]])), [
      [5, 5],
      [6, 6],
    ]);
  });

  it("treats a non-bool condition as 'non-zero'", () => {
    expectArray(np.where(f64([0, 0.5, -2, NaN]), 1, 0), [0, 1, 1, 1]);
  });

  it("promotes the branches; scalars are weak", () => {
    expect(np.where(np.array([true]), np.ones([1], "int32"), f64([2])).dtype).toBe("float64");
    expect(np.where(np.array([true]), np.ones([1], "int32"), 0).dtype).toBe("int32");
    expect(np.where(np.array([true]), 1, 0).dtype).toBe("float32");
  });

  it("reads strided and broadcast views", () => {
    const m = f64([
      [1, 2],
      [3, 4],
    ]);
    const c = np.gt(np.transpose(m), 2); // [[F, T], [F, T]]
    expectArray(np.where(c, np.slice(m, "::-1"), np.broadcastTo(f64([0]), [2, 2])), [
      [0, 4],
      [0, 2],
    ]);
  });

  it("throws naming where and the shapes", () => {
    expectError(
      () => np.where(np.array([true, false]), np.zeros([3]), 0),
      np.ShapeError,
      "where",
      "[2]",
      "[3]",
    );
    expectError(() => np.where([true] as never, 1, 0), TypeError, "where");
  });
});
