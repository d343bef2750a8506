import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendInfo, gemmBatched, initBackend, initThreads, matmul } from "./index";
import { checkGemm } from "./gemm-check";
import { randomArray } from "./test-helpers";

// The opt-in relaxed-SIMD build must give the same answers within rounding. On Node 20
// initBackend sets V8's --experimental-wasm-relaxed-simd flag itself.
describe("relaxed SIMD build", () => {
  beforeAll(async () => {
    await initBackend({ relaxedSimd: true });
  });

  afterAll(async () => {
    await initBackend({ relaxedSimd: false });
  });

  it("is selected on this engine", () => {
    expect(backendInfo()).toMatchObject({ sharedMemory: true, relaxedSimd: true });
  });

  it.each(["float32", "float64"] as const)("matches the %s reference", (dtype) => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const [m, n, k] of [
          [1, 1, 1],
          [3, 5, 7],
          [17, 33, 9],
          [128, 64, 96],
          [33, 17, 300],
        ] as const) {
          checkGemm({ dtype, transA, transB, m, n, k, alpha: 0.5, beta: transA ? 0 : 1.5, padA: 1, offC: 2 });
        }
      }
    }
    checkGemm({ dtype, transA: false, transB: false, m: 9, n: 11, k: 13, batch: 4 });
    // The f32 relaxed kernel uses 3×12 tiles: cover MC (126-row) and NC (1020-column) block
    // edges, uneven k blocks and the overlapping 3-row A packing next to packed B.
    for (const [m, n, k] of [
      [130, 70, 785],
      [6, 1030, 7],
      [127, 25, 4],
    ] as const) {
      checkGemm({ dtype, transA: false, transB: false, m, n, k });
      checkGemm({ dtype, transA: true, transB: true, m, n, k, beta: -0.5, padC: 1 });
    }
  });

  it("threads with the relaxed build too", async () => {
    expect(await initThreads({ threads: 2, minFlops: 0 })).toBe(2);
    const a = randomArray(Float32Array, 150 * 150, 1);
    const c = new Float32Array(150 * 150);
    gemmBatched("float32", false, false, 150, 150, 150, 1, a, 0, 150, a, 0, 150, 0, c, 0, 150, 1, 0, 0, 0);
    await initThreads({ threads: 1 });
    expect(Array.from(matmul(a, a, 150, 150, 150))).toEqual(Array.from(c));
  });

  it("switches back to the default build, and 'auto' picks relaxed once the engine accepts it", async () => {
    expect((await initBackend({ relaxedSimd: false })).relaxedSimd).toBe(false);
    // The flag set above is process-wide, so the engine now validates the relaxed module as is.
    expect((await initBackend({ relaxedSimd: "auto" })).relaxedSimd).toBe(true);
    expect((await initBackend({ relaxedSimd: false })).relaxedSimd).toBe(false);
  });
});
