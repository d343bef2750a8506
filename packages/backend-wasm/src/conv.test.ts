import * as np from "@chainrule/ndarray";
import * as conv from "@chainrule/layer-conv";
import { GradientTape } from "@chainrule/autograd";
import { sparseSoftmaxCrossEntropy } from "@chainrule/nn";
import { afterAll, describe, expect, it } from "vitest";
import { createBackend } from "./index";
import { wasmConvKernels } from "./conv-kernels";

// Every wasm window kernel against layer-conv's reference kernel (its plain loops), bit for bit: the wasm
// kernels move, add and compare the same values in the same order, so there is nothing to round.
const before = np.getBackend();
afterAll(() => np.setBackend(before));

const wasm = await createBackend({ primitiveKernels: wasmConvKernels });
const ops = [conv.im2col, conv.col2im, conv.maxPoolGather, conv.maxPoolScatter] as const;

/** The reference kernel (what the js backend runs) and the wasm one, on the same inputs. */
function both(op: conv.WindowPrimitive, inputs: np.NDArray[], p: conv.Window2D): [number[], number[]] {
  np.setBackend(np.jsBackend);
  const ref = op(inputs, p);
  np.setBackend(wasm);
  const got = op(inputs, p);
  np.setBackend(np.jsBackend);
  return [Array.from(ref.dataSync()), Array.from(got.dataSync())];
}

const geometries: [string, number[], conv.WindowOptions][] = [
  ["3×3 same (the Fashion CNN)", [2, 7, 6, 5], { kernelSize: 3, padding: "same" }],
  ["2×2 pool, stride 2", [2, 8, 8, 4], { kernelSize: 2, strides: 2 }],
  ["3×2 stride (2, 1), same", [1, 9, 7, 3], { kernelSize: [3, 2], strides: [2, 1], padding: "same" }],
  ["dilated 3×3", [1, 9, 9, 6], { kernelSize: 3, dilationRate: [2, 3] }],
  ["dilated, same, stride 3", [2, 10, 8, 2], { kernelSize: 3, dilationRate: 2, strides: 3, padding: "same" }],
  ["one channel 5×5 same", [3, 6, 6, 1], { kernelSize: 5, padding: "same" }],
];

describe("wasm kernels for layer-conv's primitives", () => {
  it("are what the wasm backend runs for those primitive objects", () => {
    for (const op of ops) expect(op.primitive.kernelFor(wasm)).not.toBe(op.primitive.definition.kernel);
  });

  for (const dtype of ["float32", "float64"] as const) {
    for (const [label, shape, options] of geometries) {
      it(`match the reference kernels exactly: ${label}, ${dtype}`, () => {
        const rng = new np.Random(shape.reduce((a, b) => a * 31 + b, 7));
        const g = conv.windowGeometry(shape, options, "test");
        const x = rng.uniform(shape, -1, 1, dtype);
        const cols = rng.uniform([shape[0]!, g.outH, g.outW, g.kh * g.kw * g.channels], -1, 1, dtype);
        const dy = rng.uniform([shape[0]!, g.outH, g.outW, g.channels], -1, 1, dtype);
        const [r1, w1] = both(conv.im2col, [x], g);
        expect(w1).toEqual(r1);
        const [r2, w2] = both(conv.col2im, [cols], g);
        expect(w2).toEqual(r2);
        const [r3, w3] = both(conv.maxPoolGather, [x, x], g);
        expect(w3).toEqual(r3);
        const [r4, w4] = both(conv.maxPoolScatter, [x, dy], g);
        expect(w4).toEqual(r4);
      });
    }
  }

  it("route max pooling to the first maximum on ties and to the first NaN, as the reference", () => {
    const g = conv.windowGeometry([1, 4, 4, 3], { kernelSize: 2, strides: 2 }, "test");
    const v = [1, 1, 0, 1, 2, 2, NaN, 5, NaN, 0, 0, 0, 3, 3, 3, -1, NaN, 2, 4, 4, 4, 7, 7, 7];
    const sel = np.array([...v, ...v.map((t) => -t)], { dtype: "float32", shape: [1, 4, 4, 3] });
    const dy = np.array(
      Array.from({ length: 12 }, (_, i) => i + 1),
      { dtype: "float32", shape: [1, 2, 2, 3] },
    );
    const [r1, w1] = both(conv.maxPoolGather, [sel, sel], g);
    expect(w1).toEqual(r1);
    const [r2, w2] = both(conv.maxPoolScatter, [sel, dy], g);
    expect(w2).toEqual(r2);
  });

  it("read strided inputs (a transposed view) like the reference", () => {
    const rng = new np.Random(5);
    const x = np.permute(rng.uniform([2, 6, 5, 3], -1, 1, "float32"), [0, 2, 1, 3]);
    const g = conv.windowGeometry(x.shape, { kernelSize: 3, padding: "same" }, "test");
    const [r, w] = both(conv.im2col, [x], g);
    expect(w).toEqual(r);
  });

  it("fall back to the reference kernel for other dtypes (an int32 selector)", () => {
    const g = conv.windowGeometry([1, 4, 4, 1], { kernelSize: 2, strides: 2 }, "test");
    const sel = np.array(
      Array.from({ length: 16 }, (_, i) => (i * 7) % 5),
      { dtype: "int32", shape: [1, 4, 4, 1] },
    );
    const vals = np.arange(0, 16, 1, "float32").reshape([1, 4, 4, 1]);
    const [r, w] = both(conv.maxPoolGather, [sel, vals], g);
    expect(w).toEqual(r);
  });

  it("report a window that lies entirely in the padding as the reference does", () => {
    const p = { ...conv.windowGeometry([1, 2, 2, 1], { kernelSize: 2 }, "test"), padTop: 3, outH: 1 };
    const x = np.ones([1, 2, 2, 1], "float32");
    np.setBackend(wasm);
    try {
      expect(() => conv.maxPoolGather([x, x], p)).toThrow(
        /maxPool2d: window \(0, 0\) lies entirely in the padding/,
      );
    } finally {
      np.setBackend(np.jsBackend);
    }
    expect(() => conv.maxPoolGather([x, x], p)).toThrow(
      /maxPool2d: window \(0, 0\) lies entirely in the padding/,
    );
  });

  it.each(["float32", "float64"] as const)(
    "run biasRelu (the bias + ReLU epilogue) in wasm exactly as the reference, ±0 and NaN included (%s)",
    (dtype) => {
      expect(conv.biasRelu.primitive.kernelFor(wasm)).not.toBe(conv.biasRelu.primitive.definition.kernel);
      const rng = new np.Random(9);
      const y = rng.uniform([3, 20, 20, 24], -1, 1, dtype); // above WASM_BIAS_RELU_MIN_SIZE
      const raw = y.dataSync();
      raw[0] = NaN;
      raw[1] = -0.5; // + bias 0.5 → +0
      raw[2] = -0;
      raw[3] = -0; // + bias -0 → -0 → 0
      const b = rng.uniform([24], -0.5, 0.5, dtype);
      const braw = b.dataSync();
      braw[1] = 0.5;
      braw[2] = 0;
      braw[3] = -0;
      np.setBackend(np.jsBackend);
      const ref = Array.from(conv.biasRelu([y, b], {}).dataSync());
      np.setBackend(wasm);
      const got = Array.from(conv.biasRelu([y, b], {}).dataSync());
      np.setBackend(np.jsBackend);
      expect(got).toEqual(ref);
      expect(Object.is(got[2], 0) && Object.is(got[3], 0)).toBe(true);
    },
  );

  it("give the Fashion CNN the same loss gradients as the js backend", () => {
    const rng = new np.Random(2);
    const x = rng.uniform([4, 28, 28], 0, 1, "float32");
    const y = np.array([1, 3, 5, 7], { dtype: "int32" });
    const run = (backend: np.Backend) => {
      np.setBackend(backend);
      const model = conv.fashionCnn(0);
      const tape = new GradientTape();
      const loss = tape.record(() => sparseSoftmaxCrossEntropy(model.call(x), y));
      const gs = tape.gradient(loss, model.parameters()) as np.NDArray[];
      np.setBackend(np.jsBackend);
      return gs.map((t) => Array.from(t.dataSync()));
    };
    const ref = run(np.jsBackend);
    const got = run(wasm);
    expect(got.length).toBe(ref.length);
    for (let i = 0; i < ref.length; i++) {
      const worst = ref[i]!.reduce((m, r, j) => Math.max(m, Math.abs(r - got[i]![j]!)), 0);
      const scale = ref[i]!.reduce((m, r) => Math.max(m, Math.abs(r)), 1e-6);
      expect(worst / scale).toBeLessThan(1e-4); // only the wasm matmul's summation order differs
    }
  });
});
