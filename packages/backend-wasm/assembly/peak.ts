// The machine's 128-bit SIMD multiply-add ceiling, for benchmarks to quote GEMM against: 12 independent
// accumulator chains (enough to cover the FMA latency on two pipes) and no memory traffic at all. The
// relaxed build runs f32x4.relaxed_madd (one FMA), the default build f32x4.mul + f32x4.add, the same
// instructions the GEMM micro-kernels use. 96 flops per iteration.
function madd(a: v128, b: v128, c: v128): v128 {
  if (isDefined(RELAXED)) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

export function simdPeakF32(iterations: i32, seed: f32): f32 {
  const a = f32x4.splat(0.999999);
  const b = f32x4.splat(1e-7);
  // Distinct starting values, so no optimizer can merge the chains.
  let c0 = f32x4.splat(seed);
  let c1 = f32x4.splat(seed + 1);
  let c2 = f32x4.splat(seed + 2);
  let c3 = f32x4.splat(seed + 3);
  let c4 = f32x4.splat(seed + 4);
  let c5 = f32x4.splat(seed + 5);
  let c6 = f32x4.splat(seed + 6);
  let c7 = f32x4.splat(seed + 7);
  let c8 = f32x4.splat(seed + 8);
  let c9 = f32x4.splat(seed + 9);
  let c10 = f32x4.splat(seed + 10);
  let c11 = f32x4.splat(seed + 11);
  for (let i = 0; i < iterations; i++) {
    c0 = madd(c0, a, b);
    c1 = madd(c1, a, b);
    c2 = madd(c2, a, b);
    c3 = madd(c3, a, b);
    c4 = madd(c4, a, b);
    c5 = madd(c5, a, b);
    c6 = madd(c6, a, b);
    c7 = madd(c7, a, b);
    c8 = madd(c8, a, b);
    c9 = madd(c9, a, b);
    c10 = madd(c10, a, b);
    c11 = madd(c11, a, b);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)),
    f32x4.add(
      f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)),
      f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11)),
    ),
  );
  return f32x4.extract_lane(s, 0);
}
