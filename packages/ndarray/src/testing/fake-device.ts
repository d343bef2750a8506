// A device backend with a fake device whose memory JS may not touch directly: its storage is a handle, and its
// kernels run the reference kernels on the hidden arrays behind the handles. Test-only.
import * as np from "../index";

interface FakeStorage extends np.DeviceStorage {
  readonly hidden: np.TypedArray;
}

export function fakeDevice(): { backend: np.DeviceBackend; uploads: number[] } {
  const uploads: number[] = [];
  const reveal = (x: np.NDArray) =>
    new np.NDArray((x.storage as FakeStorage).hidden, x.shape, x.dtype, x.strides, x.offset);
  const device: np.DeviceMemory = {
    allocate: (dtype, size): FakeStorage => ({
      backend: "fake",
      length: size,
      hidden: np.allocate(dtype, size),
    }),
    accept(x) {
      if (x.onDevice) return x;
      uploads.push(x.size);
      const hidden = x.toTypedArray();
      return new np.NDArray(
        { backend: "fake", length: hidden.length, hidden } as FakeStorage,
        x.shape,
        x.dtype,
      );
    },
    read: async (s, _dtype, offset, size) => (s as FakeStorage).hidden.slice(offset, offset + size),
    write: (s, _dtype, offset, values) => (s as FakeStorage).hidden.set(values, offset),
  };
  const kernels = Object.fromEntries(
    Object.entries(np.jsBackend.kernels).map(([name, k]) => [
      name,
      (inputs: readonly np.NDArray[], params: unknown, out: np.NDArray) =>
        (k as np.Kernel<"copy">)(inputs.map(reveal), params as {}, reveal(out)),
    ]),
  ) as unknown as np.KernelTable;
  return { backend: { name: "fake", kernels, device }, uploads };
}
