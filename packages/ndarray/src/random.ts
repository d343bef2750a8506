import alea from "seedrandom/lib/alea.js";
import { assertDType, type DType, isFloat } from "./dtype";
import { ShapeError } from "./errors";
import { NDArray } from "./ndarray";
import { track } from "./pool";
import { assertShape } from "./shape";

/**
 * A seeded random generator (seedrandom's Alea): the same seed gives the same numbers in every
 * process and on every platform. Each instance has its own state; nothing global.
 */
export class Random {
  // The bundler names a class that refers to itself `_Random`; keep the public name (logs, inspect).
  static {
    Object.defineProperty(this, "name", { value: "Random" });
  }

  private readonly next: () => number;
  private spare: number | undefined;

  constructor(seed: number | string = 0) {
    this.next = alea(String(seed));
  }

  /** A uniform float in [0, 1). */
  random(): number {
    return this.next();
  }

  /** A new generator seeded from this one: independent streams for e.g. init and dropout. */
  fork(): Random {
    return new Random(
      Math.floor(this.next() * 2 ** 32).toString(16) + ":" + Math.floor(this.next() * 2 ** 32),
    );
  }

  /** One standard normal sample (Marsaglia's polar method; the second value is kept). */
  gaussian(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * f;
        return u * f;
      }
    }
  }

  private filled(shape: readonly number[], dtype: DType, op: string, f: () => number): NDArray {
    assertShape(shape, op);
    const out = track(NDArray.empty([...shape], dtype));
    const b = out.buffer;
    for (let i = 0; i < b.length; i++) b[i] = f();
    return out;
  }

  /** Uniform samples in [low, high). */
  uniform(shape: readonly number[], low = 0, high = 1, dtype: DType = "float32"): NDArray {
    if (!isFloat(dtype)) throw new TypeError(`uniform: dtype must be float32 or float64, got ${dtype}`);
    if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
      throw new RangeError(`uniform: need finite low < high, got [${low}, ${high})`);
    }
    const round = dtype === "float32" ? Math.fround : (v: number) => v;
    return this.filled(shape, dtype, "uniform", () => {
      // Rounding to float32 (or low + span·u in float64) can land exactly on `high`: draw again.
      for (;;) {
        const v = round(low + (high - low) * this.next());
        if (v < high) return v;
      }
    });
  }

  /** Normal samples with the given mean and standard deviation. */
  normal(shape: readonly number[], mean = 0, std = 1, dtype: DType = "float32"): NDArray {
    if (!isFloat(dtype)) throw new TypeError(`normal: dtype must be float32 or float64, got ${dtype}`);
    if (!(Number.isFinite(mean) && std >= 0 && Number.isFinite(std))) {
      throw new RangeError(`normal: need a finite mean and std >= 0, got mean ${mean}, std ${std}`);
    }
    return this.filled(shape, dtype, "normal", () => mean + std * this.gaussian());
  }

  /** Integers uniform in [low, high). */
  randint(low: number, high: number, shape: readonly number[] = []): NDArray {
    if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
      throw new RangeError(`randint: need integers low < high, got [${low}, ${high})`);
    }
    if (low < -(2 ** 31) || high > 2 ** 31) {
      throw new RangeError(`randint: [${low}, ${high}) does not fit int32`);
    }
    return this.filled(shape, "int32", "randint", () => low + Math.floor((high - low) * this.next()));
  }

  /** 1 with probability p, else 0. */
  bernoulli(p: number, shape: readonly number[], dtype: DType = "float32"): NDArray {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli: p must be in [0, 1], got ${p}`);
    assertDType(dtype, "bernoulli");
    return this.filled(shape, dtype, "bernoulli", () => (this.next() < p ? 1 : 0));
  }

  /** A random permutation of 0..n-1 (Fisher–Yates), as an Int32Array. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0)
      throw new ShapeError(`permutation: n must be a non-negative integer, got ${n}`);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** Shuffles a JS or typed array in place and returns it. */
  shuffle<T extends { length: number; [i: number]: any }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}
