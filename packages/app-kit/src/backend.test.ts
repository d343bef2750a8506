import { biasRelu, col2im, conv2d, im2col, maxPoolGather, maxPoolScatter } from "@chainrule/layer-conv";
import * as np from "@chainrule/ndarray";
import { afterAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend";

afterAll(() => np.setBackend(np.jsBackend));

describe("selectBackend", () => {
  it("wasm: layer-conv's window and bias + ReLU primitives run the backend's own kernels, not the reference ones", async () => {
    await selectBackend("wasm");
    const backend = np.getBackend();
    expect(backend.name).toBe("wasm");
    for (const op of [im2col, col2im, maxPoolGather, maxPoolScatter, biasRelu] as {
      primitive: np.DefinedPrimitive<never>;
    }[]) {
      const own = backend.primitiveKernels?.get(op.primitive);
      expect(own, op.primitive.name).toBeDefined();
      expect(op.primitive.kernelFor(backend)).not.toBe(op.primitive.definition.kernel);
    }
  });

  it("wasm: a convolution agrees with the js backend's (the FMA matmul rounds differently)", async () => {
    const x = np.array(Array.from({ length: 2 * 6 * 6 * 3 }, (_, i) => Math.sin(i))).reshape([2, 6, 6, 3]);
    const w = np.array(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i))).reshape([3, 3, 3, 4]);
    await selectBackend("js");
    const expected = await conv2d(x, w, { padding: "same" }).data();
    await selectBackend("wasm");
    const got = await conv2d(x, w, { padding: "same" }).data();
    expect(got.length).toBe(expected.length);
    got.forEach((v, i) =>
      expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(expected[i]!))),
    );
  });

  it("webgpu: layer-conv's window and bias + ReLU primitives have the backend's own kernels", async () => {
    process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json"; // SwiftShader without a GPU
    await selectBackend("webgpu");
    const backend = np.getBackend();
    expect(backend.name).toBe("webgpu");
    for (const op of [im2col, col2im, maxPoolGather, maxPoolScatter, biasRelu] as {
      primitive: np.DefinedPrimitive<never>;
    }[]) {
      expect(backend.primitiveKernels?.get(op.primitive), op.primitive.name).toBeDefined();
    }
  });
});
