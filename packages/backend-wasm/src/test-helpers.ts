// Shared by the *.test.ts files only (not exported from index.ts).
import type { FloatArray } from "./dtype";

/** Deterministic uniform numbers in [lo, hi) (mulberry32), so failures reproduce. */
export function rng(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = -1, hi = 1) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return lo + (hi - lo) * u;
  };
}

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Uniform [-1, 1) values from a seed. */
export function randomArray(ctor: Float32ArrayConstructor, n: number, seed: number): Float32Array;
export function randomArray(ctor: Float64ArrayConstructor, n: number, seed: number): Float64Array;
export function randomArray(ctor: Ctor, n: number, seed: number): FloatArray;
export function randomArray(ctor: Ctor, n: number, seed: number): FloatArray {
  const r = rng(seed);
  const x = new ctor(n);
  for (let i = 0; i < n; i++) x[i] = r();
  return x;
}

/** Largest |actual − expected| / (|expected| + floor) over all elements, plus where it happened. */
export function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 0) {
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (e === a) continue;
    const err = Math.abs(a - e) / (Math.abs(e) + floor);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  return { worst, at };
}
