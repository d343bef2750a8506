// The 128-bit SIMD multiply-add ceiling of this machine and build (assembly/peak.ts), to quote GEMM against.
import { runtime } from "./wasm/runtime";

const FLOPS_PER_ITERATION = 96; // 12 chains × 4 lanes × (multiply + add)

export interface SimdPeak {
  /** GFLOP/s of the median round and of the best one (the least disturbed by other processes). */
  median: number;
  best: number;
  /** Whether the rounds ran `f32x4.relaxed_madd` (FMA) or `f32x4.mul` + `f32x4.add`. */
  relaxedSimd: boolean;
}

/**
 * Times a register-only loop of 12 independent f32x4 multiply-add chains on the calling thread (no loads,
 * no stores): the most a 128-bit wasm kernel can reach here. Takes about `rounds × roundMs` ms.
 */
export function measureSimdPeak(options: { rounds?: number; roundMs?: number } = {}): SimdPeak {
  const { rounds = 9, roundMs = 30 } = options;
  const rt = runtime();
  const peak = rt.exports.simdPeakF32;
  let iterations = 1 << 14;
  for (let t0 = performance.now(); performance.now() - t0 < 50;) peak(iterations, 1); // tier up
  for (;;) {
    const t0 = performance.now();
    peak(iterations, 1);
    if (performance.now() - t0 > roundMs / 4 || iterations > 1 << 28) break;
    iterations *= 2;
  }
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < roundMs) {
      peak(iterations, r);
      calls++;
      t = performance.now();
    }
    rates.push((FLOPS_PER_ITERATION * iterations * calls) / ((t - t0) / 1000) / 1e9);
  }
  rates.sort((a, b) => a - b);
  return { median: rates[rates.length >> 1]!, best: rates[rates.length - 1]!, relaxedSimd: rt.relaxed };
}
