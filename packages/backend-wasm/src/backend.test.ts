import * as np from "@chainrule/ndarray";
import { afterAll, describe, expect, it } from "vitest";
import { createBackend, WASM_ADAM_MIN_SIZE, WASM_MATMUL_MIN_MACS, wasmKernels } from "./index";

const before = np.getBackend();
afterAll(() => np.setBackend(before));

/** float64 reference product of two (possibly strided) 2-D views. */
function naive(a: np.NDArray, b: np.NDArray): number[][] {
  const A = a.toArray() as number[][];
  const B = b.toArray() as number[][];
  return A.map((row) => B[0]!.map((_, j) => row.reduce((s, v, p) => s + v * B[p]![j]!, 0)));
}

describe("the wasm Backend", () => {
  it("has a kernel for every computing primitive", async () => {
    const backend = await createBackend();
    expect(backend.name).toBe("wasm");
    expect(Object.keys(np.kernelsOf(backend)).sort()).toEqual(Object.keys(np.jsBackend.kernels).sort());
  });

  it("runs large float32/float64 matmuls in wasm, for plain, transposed and sliced operands", async () => {
    np.setBackend(await createBackend());
    const rng = new np.Random(3);
    for (const dtype of ["float32", "float64"] as const) {
      const a = rng.uniform([40, 33], -1, 1, dtype);
      const b = rng.uniform([33, 50], -1, 1, dtype);
      expect(40 * 33 * 50).toBeGreaterThan(WASM_MATMUL_MIN_MACS);
      const cases: [np.NDArray, np.NDArray][] = [
        [a, b],
        [np.contiguous(a.T).T, b], // A stored transposed
        [a, np.contiguous(b.T).T], // B stored transposed
        [np.slice(rng.uniform([80, 33], -1, 1, dtype), "::2"), b], // every other row: packed copy path
      ];
      for (const [x, y] of cases) {
        const got = np.matmul(x, y).toArray() as number[][];
        const want = naive(x, y);
        const tol = dtype === "float32" ? 1e-4 : 1e-12;
        got.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - want[i]![j]!)).toBeLessThan(tol)));
      }
    }
    // batched with a broadcast (stride-0) operand
    const x = rng.uniform([3, 20, 30], -1, 1, "float64");
    const w = rng.uniform([30, 25], -1, 1, "float64");
    const got = np.matmul(x, w);
    for (let t = 0; t < 3; t++) {
      const want = naive(np.slice(x, [t]), w);
      (np.slice(got, [t]).toArray() as number[][]).forEach((row, i) =>
        row.forEach((v, j) => expect(Math.abs(v - want[i]![j]!)).toBeLessThan(1e-12)),
      );
    }
  });

  it("keeps the reference kernels where wasm does not pay (small products, other ops)", async () => {
    const backend = await createBackend();
    expect(np.kernelsOf(backend).exp).toBe(np.jsBackend.kernels.exp);
    expect(wasmKernels.exp).toBeUndefined();
    expect(np.kernelsOf(backend).gather).toBe(np.jsBackend.kernels.gather);
    expect(np.kernelsOf(backend).sum).toBe(wasmKernels.sum);
    expect(np.kernelsOf(backend).matmul).toBe(wasmKernels.matmul);
  });

  it("runs Adam updates in wasm (float64 closed form), declining small or mixed-dtype arrays", async () => {
    const adam = (await createBackend()).fused!.adam!;
    const n = WASM_ADAM_MIN_SIZE + 5; // SIMD body and scalar tail
    const rng = new np.Random(5);
    const param = rng.uniform([n], -1, 1, "float32").toTypedArray() as Float32Array;
    const grad = rng.uniform([n], -1, 1, "float32").toTypedArray() as Float32Array;
    const m = rng.uniform([n], -0.1, 0.1, "float32").toTypedArray() as Float32Array;
    const v = rng.uniform([n], 0, 0.1, "float32").toTypedArray() as Float32Array;
    const [p0, m0, v0] = [param.slice(), m.slice(), v.slice()];
    const hyper = { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: 3 };
    expect(adam({ param, grad, m, v, ...hyper })).toBe(true);
    for (let i = 0; i < n; i++) {
      const mi = 0.9 * m0[i]! + 0.1 * grad[i]!;
      const vi = 0.999 * v0[i]! + 0.001 * grad[i]! ** 2;
      const want = p0[i]! - (0.01 * (mi / (1 - 0.9 ** 3))) / (Math.sqrt(vi / (1 - 0.999 ** 3)) + 1e-8);
      expect(Math.abs(m[i]! - mi)).toBeLessThan(1e-6);
      expect(Math.abs(v[i]! - vi)).toBeLessThan(1e-6);
      expect(Math.abs(param[i]! - want)).toBeLessThan(1e-5);
    }
    const small = new Float32Array(8);
    expect(adam({ param: small, grad: small, m: small, v: small, ...hyper })).toBe(false);
    const m64 = new Float64Array(n);
    expect(adam({ param, grad, m: m64, v: m64, ...hyper })).toBe(false);
  });
});
