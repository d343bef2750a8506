// Variables created while webgpu is the backend keep their values in GPU memory.
import { describe, expect, it } from "vitest";
import * as np from "@chainrule/ndarray";
import { Variable } from "@chainrule/autograd";
import { webgpu } from "./test-helpers";

describe("Variables on webgpu", () => {
  it("live on the device, and assign, assign a number and read work there", async () => {
    const previous = np.getBackend();
    try {
      np.setBackend(await webgpu());
      const v = new Variable(np.array([1, 2, 3], { dtype: "float32" }), { name: "v" });
      expect(v.onDevice).toBe(true);
      expect(() => v.dataSync()).toThrow(/await x\.data\(\)/);
      const before = v.read();
      v.assign(np.array([4, 5, 6], { dtype: "int32" })); // converted to float32
      expect(Array.from(await v.data())).toEqual([4, 5, 6]);
      v.assignSub(np.array([1, 1, 1], { dtype: "float32" }));
      expect(Array.from(await v.data())).toEqual([3, 4, 5]);
      v.assign(7);
      expect(Array.from(await v.data())).toEqual([7, 7, 7]);
      expect(Array.from(await before.data())).toEqual([1, 2, 3]); // a snapshot, not a view
    } finally {
      np.setBackend(previous);
    }
  });
});
