// layer-conv's convolution on webgpu through ndarray's extension point (the backend's kernels keyed by
// the primitive objects): forward and gradients of orders 1 and 2 against the js backend.
import { grad } from "@chainrule/autograd";
import { col2im, conv2d, im2col } from "@chainrule/layer-conv";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { createWebGpuBackend, type WebGpuBackend } from "./index";
import { agreeAll, values } from "./test-helpers";

let conv: Promise<WebGpuBackend> | undefined;
const withConv = () => (conv ??= createWebGpuBackend({ conv: { im2col, col2im } }));

const f32 = (seed: number, shape: number[]) =>
  np
    .array(
      values(
        shape.reduce((s, d) => s * d, 1),
        seed,
        -1,
        1,
      ),
      { dtype: "float32" },
    )
    .reshape(...shape);

const SETTINGS = [
  { strides: 1, padding: "same" },
  { strides: 2, padding: "valid" },
  { strides: [2, 1], padding: "same", dilation: [1, 2] },
] as const;

describe("layer-conv on webgpu (im2col/col2im kernels through primitiveKernels)", () => {
  for (const options of SETTINGS) {
    it(`conv2d ${JSON.stringify(options)}: forward, gradients, second order`, async () => {
      const backend = await withConv();
      const f = (x: np.NDArray, k: np.NDArray) => np.sum(np.mul(np.tanh(conv2d(x, k, options)), 0.7));
      const run = () => {
        const x = f32(1, [2, 7, 6, 3]);
        const k = f32(2, [3, 3, 3, 4]);
        const [gx, gk] = grad(f, [0, 1])(x, k);
        const second = grad((x: np.NDArray) => np.sum(np.mul(grad(f, 0)(x, k), f32(3, [2, 7, 6, 3]))))(x);
        return [conv2d(x, k, options), gx!, gk!, second];
      };
      await agreeAll(run, 1e-4, 1e-5, true, backend);
    });
  }

  it("without the primitives passed in, the error names the primitive and the backend", async () => {
    const previous = np.getBackend();
    np.setBackend(await createWebGpuBackend());
    try {
      expect(() => conv2d(f32(1, [1, 4, 4, 1]), f32(2, [2, 2, 1, 1]))).toThrow(
        /im2col: no kernel for the 'webgpu' backend/,
      );
    } finally {
      np.setBackend(previous);
    }
  });
});
