/**
 * Naive reference implementations for tests, written index by index from the definitions and
 * sharing no code with the kernels they check.
 */
import type { NDArray } from "../index";
import { at, indices } from "./helpers";

/**
 * Reduces `x` over `axes` (all when undefined) with `f` applied to the list of values of each
 * output cell, in row-major order of the reduced axes. Returns the keepdims shape and values.
 */
export function reduceRef(
  x: NDArray,
  axes: readonly number[] | undefined,
  f: (vals: number[]) => number,
): { shape: number[]; keptShape: number[]; values: number[] } {
  const all = axes ?? x.shape.map((_, i) => i);
  const norm = all.map((a) => (a < 0 ? a + x.ndim : a));
  const keepShape = x.shape.map((d, i) => (norm.includes(i) ? 1 : d));
  const groups = new Map<string, number[]>();
  for (const k of indices(keepShape)) groups.set(k.join(","), []);
  for (const idx of indices(x.shape)) {
    const key = idx.map((v, i) => (norm.includes(i) ? 0 : v)).join(",");
    groups.get(key)!.push(at(x, idx));
  }
  return {
    shape: keepShape,
    keptShape: x.shape.filter((_, i) => !norm.includes(i)),
    values: indices(keepShape).map((k) => f(groups.get(k.join(","))!)),
  };
}

export const sumOf = (v: number[]) => v.reduce((a, b) => a + b, 0);
export const prodOf = (v: number[]) => v.reduce((a, b) => a * b, 1);
export const maxOf = (v: number[]) =>
  v.reduce((a, b) => (Number.isNaN(a) || b > a || Number.isNaN(b) ? b : a));
export const minOf = (v: number[]) =>
  v.reduce((a, b) => (Number.isNaN(a) || b < a || Number.isNaN(b) ? b : a));
export const meanOf = (v: number[]) => sumOf(v) / v.length;

/** Index of the first maximum (or first NaN). */
export function argmaxOf(v: number[]): number {
  let best = 0;
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i]!)) return i;
    if (v[i]! > v[best]!) best = i;
  }
  return best;
}

export function argminOf(v: number[]): number {
  let best = 0;
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i]!)) return i;
    if (v[i]! < v[best]!) best = i;
  }
  return best;
}

/** C = A·B for row-major matrices given as flat arrays (the textbook triple loop). */
export function matmulRef(a: number[], b: number[], m: number, k: number, n: number): number[] {
  const c = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
      c[i * n + j] = s;
    }
  return c;
}
