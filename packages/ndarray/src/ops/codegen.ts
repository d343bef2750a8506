// Kernel loops derived from an op's table row: the row gives a JS expression (for generated, monomorphic
// loops, one per op as a hand-written literal would be) and the scalar function (for the loop used where
// a Content-Security-Policy forbids generating code). Both compute the same values bit for bit.
import type { NDArray } from "../ndarray";

type TA = NDArray["buffer"];

/** Stable on both tails: never exp of a large positive number. */
function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** NumPy rounds halves to even. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Functions that generated expressions may call as `H.<name>(…)`. */
export const HELPERS = { sigmoid, round: roundHalfEven };
export type Helpers = typeof HELPERS;

let codegenWorks: boolean | undefined;

/** Whether `new Function` is allowed here (a Content-Security-Policy without 'unsafe-eval' forbids it). */
export function canGenerateCode(): boolean {
  if (codegenWorks === undefined) {
    try {
      codegenWorks = new Function("return 1")() === 1;
    } catch {
      codegenWorks = false;
    }
  }
  return codegenWorks;
}

/** out[oi+j] = f(x[xi + j*xs]) for j < n. */
export type UnaryLoop = (o: TA, oi: number, x: TA, xi: number, xs: number, n: number) => void;
/** out[oi+j] = f(a[ai + j*as], b[bi + j*bs]) for j < n. */
export type BinaryLoop = (
  o: TA,
  oi: number,
  a: TA,
  ai: number,
  as: number,
  b: TA,
  bi: number,
  bs: number,
  n: number,
) => void;

function generate<F>(params: string, body: string): F | undefined {
  if (!canGenerateCode()) return undefined;
  try {
    return new Function("H", `return function (${params}) { ${body} };`)(HELPERS) as F;
  } catch {
    return undefined;
  }
}

/** The strided loop of a unary op. */
export function unaryLoop(js: (a: string) => string, scalar: (v: number) => number): UnaryLoop {
  const body = `for (let j = 0; j < n; j++, xi += xs) { const v = x[xi]; o[oi + j] = ${js("v")}; }`;
  return (
    generate<UnaryLoop>("o, oi, x, xi, xs, n", body) ??
    ((o, oi, x, xi, xs, n) => {
      for (let j = 0; j < n; j++, xi += xs) o[oi + j] = scalar(x[xi]!);
    })
  );
}

/** The strided loop of a binary op. */
export function binaryLoop(
  js: (a: string, b: string) => string,
  scalar: (a: number, b: number) => number,
): BinaryLoop {
  const body =
    "for (let j = 0; j < n; j++, ai += as, bi += bs) " +
    `{ const p = a[ai], q = b[bi]; o[oi + j] = ${js("p", "q")}; }`;
  return (
    generate<BinaryLoop>("o, oi, a, ai, as, b, bi, bs, n", body) ??
    ((o, oi, a, ai, as, b, bi, bs, n) => {
      for (let j = 0; j < n; j++, ai += as, bi += bs) o[oi + j] = scalar(a[ai]!, b[bi]!);
    })
  );
}
