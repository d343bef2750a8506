// layer-conv's convolution on webgpu through ndarray's extension point (the backend's kernels keyed by
// the primitive objects): forward and gradients of orders 1 and 2 against the js backend.
import { GradientTape, grad } from "@chainrule/autograd";
import {
  Conv2D,
  biasRelu,
  col2im,
  conv2d,
  im2col,
  maxPool2d,
  maxPoolGather,
  maxPoolScatter,
} from "@chainrule/layer-conv";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { createWebGpuBackend, type WebGpuBackend } from "./index";
import { agreeAll, values } from "./test-helpers";

let conv: Promise<WebGpuBackend> | undefined;
const withConv = () =>
  (conv ??= createWebGpuBackend({ conv: { im2col, col2im, maxPoolGather, maxPoolScatter, biasRelu } }));

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

  const POOLS = [
    { poolSize: 2, strides: 2, padding: "valid" },
    { poolSize: 3, strides: 1, padding: "same" },
    { poolSize: 3, strides: 2, padding: "same" },
  ] as const;
  for (const options of POOLS) {
    it(`maxPool2d ${JSON.stringify(options)}: forward, gradient, second order`, async () => {
      const backend = await withConv();
      const f = (x: np.NDArray) => np.sum(np.mul(np.tanh(maxPool2d(x, options)), 0.7));
      const run = () => {
        // Quantized values: ties inside windows, so the first-maximum rule is exercised too.
        const x = np.round(np.mul(f32(4, [2, 7, 6, 3]), 4));
        const second = grad((x: np.NDArray) => np.sum(np.mul(grad(f)(x), f32(5, [2, 7, 6, 3]))))(x);
        const gg = grad((x: np.NDArray) => np.sum(np.exp(grad(f)(np.mul(x, 1.5)))))(x);
        return [maxPool2d(x, options), grad(f)(x), second, gg];
      };
      await agreeAll(run, 1e-4, 1e-5, true, backend);
    });
  }

  it("maxPoolGather and maxPoolScatter against a naive loop (ties, NaN, strided inputs)", async () => {
    const backend = await withConv();
    const p = {
      inH: 4, inW: 5, channels: 2, kh: 2, kw: 3, strideH: 1, strideW: 2,
      dilationH: 2, dilationW: 1, padTop: 1, padLeft: 1, outH: 3, outW: 3,
    }; // prettier-ignore
    const raw = values(2 * 4 * 5 * 2, 9, -2, 2).map((v, i) => (i === 7 ? NaN : Math.round(v)));
    const previous = np.getBackend();
    np.setBackend(backend);
    try {
      // The selector is a transposed view (made contiguous by the kernel); values and g are other arrays.
      const selT = np.array(raw, { dtype: "float32" }).reshape(2, 2, 5, 4).transpose([0, 3, 2, 1]);
      const vals = np.array(values(80, 10), { dtype: "float32" }).reshape(2, 4, 5, 2);
      const g = np.array(values(2 * 3 * 3 * 2, 11), { dtype: "float32" }).reshape(2, 3, 3, 2);
      const gathered = Array.from(await maxPoolGather([selT, vals], p).data());
      const scattered = Array.from(await maxPoolScatter([selT, g], p).data());
      // Naive reference: the selector in NHWC order from the raw [b, c, x, y] layout.
      const sel = (b: number, y: number, x: number, c: number) => raw[((b * 2 + c) * 5 + x) * 4 + y]!;
      const vHost = values(80, 10).map((v) => Math.fround(v));
      const gHost = values(36, 11).map((v) => Math.fround(v));
      const wantGather: number[] = [];
      const wantScatter = new Array<number>(80).fill(0);
      for (let b = 0; b < 2; b++)
        for (let oy = 0; oy < 3; oy++)
          for (let ox = 0; ox < 3; ox++)
            for (let c = 0; c < 2; c++) {
              let best = -Infinity;
              let at = -1;
              for (let ky = 0; ky < 2 && !Number.isNaN(best); ky++)
                for (let kx = 0; kx < 3 && !Number.isNaN(best); kx++) {
                  const y = oy - 1 + 2 * ky;
                  const x = ox * 2 - 1 + kx;
                  if (y < 0 || y >= 4 || x < 0 || x >= 5) continue;
                  const v = sel(b, y, x, c);
                  if (at < 0 || v > best || Number.isNaN(v)) [best, at] = [v, ((b * 4 + y) * 5 + x) * 2 + c];
                }
              wantGather.push(vHost[at]!);
              wantScatter[at]! += gHost[((b * 3 + oy) * 3 + ox) * 2 + c]!;
            }
      expect(gathered).toEqual(wantGather);
      scattered.forEach((v, i) => expect(v).toBeCloseTo(wantScatter[i]!, 5));
    } finally {
      np.setBackend(previous);
    }
  });

  it("biasRelu: relu(y + bias) against a naive loop (zeros, negatives, NaN, a strided y) and the js backend", async () => {
    const backend = await withConv();
    const raw = values(3 * 4 * 5, 12, -2, 2).map((v, i) => (i === 9 ? NaN : i % 7 === 0 ? 0 : v));
    const b = values(5, 13, -1, 1);
    b[2] = 0;
    // y is a transposed device view [3, 4, 5] of a [5, 4, 3] array; the bias runs along its last axis.
    const y = () => np.add(np.array(raw, { dtype: "float32" }).reshape(5, 4, 3), 0).transpose([2, 1, 0]);
    const bias = () => np.array(b, { dtype: "float32" });
    const previous = np.getBackend();
    np.setBackend(backend);
    try {
      const got = await biasRelu([y(), bias()], {}).data();
      const want: number[] = [];
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 4; j++)
          for (let c = 0; c < 5; c++) {
            const s = Math.fround(Math.fround(raw[(c * 4 + j) * 3 + i]!) + Math.fround(b[c]!));
            want.push(s <= 0 ? 0 : s);
          }
      expect(Array.from(got)).toEqual(want);
    } finally {
      np.setBackend(previous);
    }
    await agreeAll(() => [biasRelu([y(), bias()], {})], 0, 0, true, backend);
  });

  it("Conv2D with bias and ReLU (the fused epilogue): forward and gradients", async () => {
    const backend = await withConv();
    const run = () => {
      const layer = new Conv2D(4, 3, { padding: "same", activation: "relu", inputChannels: 3, seed: 1 });
      const x = f32(6, [2, 5, 5, 3]);
      const tape = new GradientTape();
      const y = tape.record(() => layer.call(x));
      const loss = tape.record(() => np.sum(np.mul(y, f32(7, [2, 5, 5, 4]))));
      const [gk, gb] = tape.gradient(loss, [layer.kernel!, layer.bias!]) as np.NDArray[];
      return [y, gk!, gb!];
    };
    await agreeAll(run, 1e-4, 1e-5, true, backend);
  });

  it("a window entirely in the padding is the js kernel's error", async () => {
    const backend = await withConv();
    const p = {
      inH: 2, inW: 2, channels: 1, kh: 1, kw: 1, strideH: 1, strideW: 1,
      dilationH: 1, dilationW: 1, padTop: 1, padLeft: 0, outH: 3, outW: 2,
    }; // prettier-ignore
    const previous = np.getBackend();
    np.setBackend(backend);
    try {
      const x = np.ones([1, 2, 2, 1], "float32");
      expect(() => maxPoolGather([x, x], p)).toThrow(
        /maxPool2d: window \(0, 0\) lies entirely in the padding/,
      );
    } finally {
      np.setBackend(previous);
    }
  });

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
