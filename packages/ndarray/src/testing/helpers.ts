/**
 * Test helpers: independent ways to read arrays and compare them with expected values.
 * Nothing here calls an op: elements are read straight from buffer, strides and offset, which is
 * the definition of the storage, so a kernel bug cannot hide behind the helper that checks it.
 */
import { expect } from "vitest";
import type { DType, NDArray, NestedArray } from "../index";

/** The element at a multi-index, read from the buffer through strides and offset. */
export function at(x: NDArray, idx: readonly number[]): number {
  let o = x.offset;
  for (let i = 0; i < idx.length; i++) o += idx[i]! * x.strides[i]!;
  return x.buffer[o]!;
}

/** Every multi-index of `shape` in row-major order. */
export function indices(shape: readonly number[]): number[][] {
  const out: number[][] = [];
  const n = shape.reduce((a, b) => a * b, 1);
  for (let f = 0; f < n; f++) out.push(unravel(f, shape));
  return out;
}

/** The multi-index of flat (row-major) position `f`. */
export function unravel(f: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = f % shape[d]!;
    f = Math.floor(f / shape[d]!);
  }
  return idx;
}

/** The elements in row-major order, read through the strides. */
export function values(x: NDArray): number[] {
  return indices(x.shape).map((i) => at(x, i));
}

/** Shape of a nested JS array (assumed rectangular). */
export function shapeOf(nested: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = nested;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0]!;
  }
  return shape;
}

/** A nested JS array flattened to numbers (booleans as 0/1). */
export function flat(nested: NestedArray): number[] {
  if (!Array.isArray(nested)) return [+nested];
  return nested.flatMap((v) => flat(v));
}

/** |a - b| <= atol + rtol·|b|, with NaN equal to NaN and infinities equal to themselves. */
export function close(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(b)) return Number.isNaN(a);
  if (!Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

export interface ExpectOptions {
  dtype?: DType;
  /** Relative tolerance (default 0: exact). */
  rtol?: number;
  /** Absolute tolerance (default 0). */
  atol?: number;
}

/**
 * Checks shape, dtype (when given) and every element of `x` against a nested JS array or a flat
 * list of expected values (then with `shape`). Exact unless tolerances are given; NaN matches NaN.
 */
export function expectArray(x: NDArray, expected: NestedArray, opts: ExpectOptions = {}): void {
  expect(x.shape).toEqual(shapeOf(expected));
  if (opts.dtype) expect(x.dtype).toBe(opts.dtype);
  expectValues(x, flat(expected), opts);
}

/** Like expectArray for a flat list of expected values in row-major order (shape not checked). */
export function expectValues(x: NDArray, expected: readonly number[], opts: ExpectOptions = {}): void {
  const got = values(x);
  expect(got.length).toBe(expected.length);
  const rtol = opts.rtol ?? 0;
  const atol = opts.atol ?? 0;
  const bad: string[] = [];
  for (let i = 0; i < got.length && bad.length < 5; i++) {
    if (!close(got[i]!, expected[i]!, rtol, atol)) bad.push(`[${i}]: got ${got[i]}, expected ${expected[i]}`);
  }
  expect(bad, `shape [${x.shape.join(", ")}] ${x.dtype}`).toEqual([]);
}

/**
 * Expects `fn` to throw an instance of `type` whose message contains every one of `parts`
 * (the op's name and the offending shapes or values).
 */
export function expectError(
  fn: () => unknown,
  type: new (...args: never[]) => Error,
  ...parts: string[]
): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected an error").toBeInstanceOf(type);
  const message = (caught as Error).message;
  for (const p of parts) expect(message).toContain(p);
}

/** Mulberry32: a tiny seeded generator for test data, independent of the library's Random. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` uniform values in [lo, hi) from `next`. */
export function randomValues(next: () => number, n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * next());
}
