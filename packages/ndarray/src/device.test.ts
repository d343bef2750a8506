// A device backend's contract, with a fake device whose memory JS may not touch directly: its storage is
// a handle, and its kernels run the reference kernels on the hidden arrays behind the handles.
import { afterEach, describe, expect, it } from "vitest";
import * as np from "./index";
import { fakeDevice } from "./testing/fake-device";

const before = np.getBackend();
afterEach(() => np.setBackend(before));

describe("a device backend", () => {
  it("keeps results on the device, uploads host inputs once per use, and reads back with await data()", async () => {
    const { backend, uploads } = fakeDevice();
    np.setBackend(backend);
    const a = np.array([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const y = np.add(a, 10).mul(2);
    expect(y.onDevice).toBe(true);
    expect(uploads).toEqual([6, 1, 1]); // a, then the scalars 10 and 2 as one-element arrays
    expect(Array.from(await y.data())).toEqual([22, 24, 26, 28, 30, 32]);
    expect(await y.array()).toEqual([
      [22, 24, 26],
      [28, 30, 32],
    ]);
  });

  it("reads views (transposed, sliced, reversed) of device storage in row-major order", async () => {
    const { backend } = fakeDevice();
    np.setBackend(backend);
    const y = np.add(np.arange(12).reshape(3, 4), 0);
    expect(Array.from(await y.T.data())).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(Array.from(await np.slice(y, "1:, ::-2").data())).toEqual([7, 5, 11, 9]);
  });

  it("gives a clear error for synchronous reads, naming data()", () => {
    const { backend } = fakeDevice();
    np.setBackend(backend);
    const y = np.exp(np.zeros([2, 2]));
    const one = np.sum(y);
    for (const read of [() => y.dataSync(), () => y.toArray(), () => y.buffer]) {
      expect(read).toThrow(np.BackendError);
      expect(read).toThrow(/\[2, 2\] float32 array lives on the 'fake' backend.*await x\.data\(\)/);
    }
    expect(() => one.item()).toThrow(/\[\] float32 array lives on the 'fake' backend/);
    expect(String(y)).toBe("array(<on fake: await x.data() to read>, shape=[2, 2], dtype=float32)");
  });
});

describe("checks of device values (pow's integer exponents; gather's bounds: see backend-webgpu)", () => {
  const onDevice = (values: number[], dtype: np.DType = "int32") => np.add(np.array(values, { dtype }), 0);

  it("gather with in-range device indices runs (no synchronous read of the indices)", async () => {
    np.setBackend(fakeDevice().backend);
    const x = np.array([10, 20, 30], { dtype: "float32" });
    expect(Array.from(await np.gather(x, onDevice([2, -1, 0])).data())).toEqual([30, 30, 10]);
  });

  it("integer pow with a negative device exponent throws at the next read, once", async () => {
    np.setBackend(fakeDevice().backend);
    expect(Array.from(await np.pow(onDevice([2, 3]), onDevice([3, 2])).data())).toEqual([8, 9]);
    const p = np.pow(onDevice([2, 3]), onDevice([1, -2])); // no error yet: the exponents stay on the device
    await expect(np.ones([1]).data()).rejects.toThrow(
      /pow: integers to negative integer powers are not allowed \(exponent -2\)/,
    );
    expect(await p.data()).toHaveLength(2); // reported once
  });
});
