import { describe, expect, it } from "vitest";
import * as np from "./index";

// A cube primitive defined the way an outside package would, against the public API only.
const cube = np.definePrimitive<{ scale: number }>({
  name: "scaledCube",
  output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  kernel: ([x], { scale }, out) => {
    const src = x!.dataSync();
    for (let i = 0; i < src.length; i++) out.buffer[i] = scale * src[i]! ** 3;
  },
  vjp: (g, [x], _y, { scale }) => [
    g
      .mul(x!)
      .mul(x!)
      .mul(3 * scale),
  ],
});

describe("definePrimitive", () => {
  it("runs the reference kernel and is recorded as one primitive object", () => {
    const seen: np.Primitive[] = [];
    const rec: np.Recorder = { record: (p) => void seen.push(p) };
    np.pushRecorder(rec);
    const y = cube([np.array([1, -2, 0.5], { dtype: "float64" })], { scale: 2 });
    np.popRecorder(rec);
    expect(y.toArray()).toEqual([2, -16, 0.25]);
    expect(seen).toEqual([cube.primitive]);
    expect(cube.primitive.name).toBe("scaledCube");
  });

  it("uses a backend's own kernel when one is given for the current backend, else the reference one", () => {
    const marked = np.definePrimitive<{}>({
      name: "which",
      output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
      kernel: (_i, _p, out) => out.buffer.fill(1),
      backendKernels: { other: (_i, _p, out) => out.buffer.fill(2) },
      vjp: () => [null],
    });
    expect(marked([np.zeros([2])], {}).toArray()).toEqual([1, 1]);
    const other = { name: "other", kernels: {} };
    expect(marked.primitive.kernelFor(other)).not.toBe(marked.primitive.kernelFor(np.jsBackend));
  });

  it("runs a kernel the backend brings for the primitive object, on host and device backends", () => {
    const plain = np.definePrimitive<{ v: number }>({
      name: "plain",
      output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
      kernel: (_i, _p, out) => out.buffer.fill(1),
      vjp: () => [null],
    });
    const twin = np.definePrimitive<{ v: number }>({ ...plain.primitive.definition, name: "plain" });
    const own: np.CustomKernel<{ v: number }> = (_i, { v }, out) => out.buffer.fill(v);
    const table = np.primitiveKernels(np.primitiveKernel(plain, own));
    const host: np.HostBackend = { name: "host-ext", kernels: {}, primitiveKernels: table };
    expect(plain.primitive.kernelFor(host)).toBe(own);
    // Another primitive object (a second copy of the defining package) keeps its reference kernel.
    expect(twin.primitive.kernelFor(host)).toBe(plain.primitive.definition.kernel);
    const device = { name: "gpu-ext", kernels: np.jsBackend.kernels, device: {} as np.DeviceMemory };
    expect(plain.primitive.kernelFor({ ...device, primitiveKernels: table })).toBe(own);
    np.setBackend(host);
    try {
      expect(plain([np.zeros([3])], { v: 7 }).toArray()).toEqual([7, 7, 7]);
    } finally {
      np.setBackend(np.jsBackend);
    }
  });

  it("is an error on a device backend that it has no kernel for, naming the primitive and the backend", () => {
    const onlyJs = np.definePrimitive<{}>({
      name: "onlyJs",
      output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
      kernel: () => {},
      vjp: () => [null],
    });
    const device = { name: "gpu-test", kernels: np.jsBackend.kernels, device: {} as np.DeviceMemory };
    expect(() => onlyJs.primitive.kernelFor(device)).toThrow(/onlyJs: no kernel for the 'gpu-test' backend/);
  });

  it("rejects non-array inputs by name", () => {
    expect(() => cube([1 as unknown as np.NDArray], { scale: 1 })).toThrow(/scaledCube: every input/);
  });
});
