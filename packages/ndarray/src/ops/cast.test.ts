import { describe, expect, it } from "vitest";
import { backendName } from "../testing/backend";
import { expectArray, expectError } from "../testing/helpers";
import * as np from "../index";

describe(`cast [${backendName}]`, () => {
  const x = np.array([-1.7, -0.5, 0, 0.5, 2.9, 300], { dtype: "float64" });

  it("truncates toward zero for integers and tests non-zero for bool", () => {
    expectArray(np.cast(x, "int32"), [-1, 0, 0, 0, 2, 300], { dtype: "int32" });
    expectArray(np.cast(x, "bool"), [true, true, false, true, true, true], { dtype: "bool" });
    expectArray(np.cast(np.array([NaN]), "bool"), [true]);
    expectArray(np.cast(np.array([true, false]), "float64"), [1, 0], { dtype: "float64" });
  });

  it("rounds to float32 and keeps float64 exactly", () => {
    const c = np.cast(x, "float32");
    expect(c.buffer).toBeInstanceOf(Float32Array);
    expectArray(c, [-1.7, -0.5, 0, 0.5, 2.9, 300].map(Math.fround));
    expectArray(np.cast(np.array([16777217], { dtype: "int32" }), "float64"), [16777217]);
  });

  it("returns the array itself when the dtype already matches", () => {
    expect(np.cast(x, "float64")).toBe(x);
    expect(x.astype("float64")).toBe(x);
  });

  it("reads strided views", () => {
    const m = np.array([
      [1.5, 2.5],
      [3.5, 4.5],
    ]);
    expectArray(np.cast(np.transpose(m), "int32"), [
      [1, 3],
      [2, 4],
    ]);
    expectArray(np.cast(np.slice(m, "::-1, ::-1"), "float64"), [
      [4.5, 3.5],
      [2.5, 1.5],
    ]);
  });

  it("rejects unknown dtypes naming cast", () => {
    expectError(() => np.cast(x, "int64" as never), TypeError, "cast", "int64");
  });
});
