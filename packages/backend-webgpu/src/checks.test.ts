// ndarray's checks of values that live on the GPU (index bounds, integer exponents) cannot read them
// synchronously: they run on the device and report at the next read.
import * as np from "@chainrule/ndarray";
import { afterEach, describe, expect, it } from "vitest";
import { webgpu } from "./test-helpers";

const before = np.getBackend();
afterEach(() => np.setBackend(before));
const onDevice = (values: number[]) => np.add(np.array(values, { dtype: "int32" }), 0);

describe("checks of GPU-resident indices and exponents", () => {
  it("gather: in-range GPU indices work; an out-of-range one fails the next read", async () => {
    np.setBackend(await webgpu());
    const x = np.array([10, 20, 30], { dtype: "float32" });
    const idx = onDevice([2, -1, 0]);
    expect(idx.onDevice).toBe(true);
    expect(Array.from(await np.gather(x, idx).data())).toEqual([30, 30, 10]);
    const bad = np.gather(x, onDevice([0, 3, 1]));
    await expect(bad.data()).rejects.toThrow(
      /gather: index 3 is out of range for axis 0 of shape \[3\] \(size 3\) \(device indices/,
    );
    np.gather(x, onDevice([-4]));
    await expect(np.ones([2]).data()).rejects.toThrow(/gather: index -4 is out of range/);
  });

  it("scatterAdd and integer pow on GPU values", async () => {
    np.setBackend(await webgpu());
    np.scatterAdd(np.ones([2], "float32"), onDevice([0, 5]), 0, 3);
    await expect(np.ones([1]).data()).rejects.toThrow(
      /scatterAdd: index 5 is out of range for the output axis/,
    );
    expect(Array.from(await np.pow(onDevice([2, 3]), onDevice([3, 2])).data())).toEqual([8, 9]);
    np.pow(onDevice([2]), onDevice([-1]));
    await expect(np.ones([1]).data()).rejects.toThrow(
      /pow: integers to negative integer powers.*exponent -1/,
    );
  });

  it("gather with indices computed on the GPU (as sparse cross-entropy does)", async () => {
    np.setBackend(await webgpu());
    const logits = np.array([[0, 0, 5], [5, 0, 0]], { dtype: "float32" }); // prettier-ignore
    const picked = np.gather(
      np.reshape(logits, [6]),
      np.add(np.mul(np.arange(2, undefined, undefined, "int32"), 3), onDevice([2, 0])),
    );
    expect(Array.from(await picked.data())).toEqual([5, 5]);
  });
});
