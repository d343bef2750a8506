import { checkGrads } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { __Layer__, __layer__ } from "./index";

describe("__Layer__", () => {
  it("matches its closed form", () => {
    const layer = new __Layer__({ init: 2, dtype: "float64" });
    const x = np.array([1, -2, 3, 0.5], { dtype: "float64", shape: [2, 2] });
    expect(layer.call(x).toArray()).toEqual([
      [2, -4],
      [6, 1],
    ]);
  });

  it("has the parameters Module finds by name", () => {
    expect(new __Layer__().namedParameters().map(([name]) => name)).toEqual(["scale"]);
  });

  it("passes checkGrads in float64 for the input and the parameters (orders 1 and 2)", () => {
    const rng = new np.Random(0);
    checkGrads(__layer__, [rng.normal([3, 4], 0, 1, "float64"), np.array(0.7, { dtype: "float64" })], {
      order: 2,
    });
  });

  it("names itself in errors", () => {
    expect(() => new __Layer__().call(np.array(1))).toThrow(/__Layer__/);
  });
});
