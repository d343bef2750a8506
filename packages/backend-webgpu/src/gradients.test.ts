// Every primitive's gradient, first and second order, computed on webgpu (forward and backward
// kernels on the GPU) against the same function's gradients on the js reference backend. The table
// is keyed by every primitive name, so a primitive added to the core without a case is a type error.
import { grad } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import type { PrimName } from "@chainrule/ndarray";
import { describe, it } from "vitest";
import { agreeAll, values } from "./test-helpers";

type Fn = (...xs: np.NDArray[]) => np.NDArray;
interface Case {
  f: Fn;
  /** Input shapes and value ranges (float32, fixed pseudo-random values). */
  inputs: [number[], number, number][];
}

const input = ([shape, lo, hi]: [number[], number, number], seed: number) =>
  np
    .array(
      values(
        shape.reduce((s, d) => s * d, 1),
        seed,
        lo,
        hi,
      ),
      { dtype: "float32" },
    )
    .reshape(...shape);

/** A scalar loss with fixed, uneven output weights, so every output element's gradient matters. */
const loss =
  (f: Fn) =>
  (...xs: np.NDArray[]) => {
    const y = f(...xs);
    const w = np.array(values(y.size, 99, 0.5, 1.5), { dtype: "float32" }).reshape(...y.shape);
    return np.sum(np.mul(y, w));
  };

/** First-order gradients for every input, then the gradient of their weighted sum (second order). */
function gradients({ f, inputs }: Case): () => np.NDArray[] {
  return () => {
    const xs = inputs.map((spec, k) => input(spec, k + 1));
    const argnums = xs.map((_, k) => k);
    const first = grad(loss(f), argnums)(...xs);
    const g1 = (...ys: np.NDArray[]) =>
      grad(
        loss(f),
        argnums,
      )(...ys).reduce(
        (s, g, k) => np.add(s, np.sum(np.mul(g, input(inputs[k]!, 50 + k)))),
        np.array(0, { dtype: "float32" }),
      );
    const second = grad(g1, argnums)(...xs);
    return [...first, ...second];
  };
}

const pos: [number[], number, number] = [[2, 3], 0.3, 2];
const any: [number[], number, number] = [[2, 3], -2, 2];
const unary = (f: Fn, spec = any): Case => ({ f, inputs: [spec] });
const binary = (f: Fn): Case => ({
  f,
  inputs: [
    [[2, 3], -2, 2],
    [[3], 0.4, 2],
  ],
});

const cases: Record<PrimName, Case> = {
  neg: unary(np.neg),
  abs: unary(np.abs),
  sign: unary((x) => np.mul(np.sign(x), x)),
  exp: unary(np.exp),
  log: unary(np.log, pos),
  log1p: unary(np.log1p, pos),
  expm1: unary(np.expm1),
  sqrt: unary(np.sqrt, pos),
  sin: unary(np.sin),
  cos: unary(np.cos),
  tanh: unary(np.tanh),
  sigmoid: unary(np.sigmoid),
  relu: unary((x) => np.mul(np.relu(x), x)),
  floor: unary((x) => np.mul(np.floor(x), x)),
  ceil: unary((x) => np.mul(np.ceil(x), x)),
  round: unary((x) => np.mul(np.round(x), x)),
  add: binary((a, b) => np.mul(np.add(a, b), a)),
  sub: binary((a, b) => np.mul(np.sub(a, b), b)),
  mul: binary(np.mul),
  div: binary(np.div),
  pow: binary((a, b) => np.pow(np.add(np.abs(a), 0.5), b)),
  maximum: binary((a, b) => np.mul(np.maximum(a, b), a)),
  minimum: binary((a, b) => np.mul(np.minimum(a, b), b)),
  eq: binary((a, b) => np.where(np.eq(np.round(a), 1), np.mul(a, b), a)),
  ne: binary((a, b) => np.where(np.ne(np.round(a), 1), np.mul(a, b), a)),
  lt: binary((a, b) => np.where(np.lt(a, b), np.mul(a, a), b)),
  le: binary((a, b) => np.where(np.le(a, b), np.mul(a, a), b)),
  gt: binary((a, b) => np.where(np.gt(a, b), np.mul(a, a), b)),
  ge: binary((a, b) => np.where(np.ge(a, b), np.mul(a, a), b)),
  sum: unary((x) => np.mul(np.sum(x, 1, true), x)),
  prod: unary((x) => np.prod(x, 0), pos),
  max: unary((x) => np.mul(np.max(x, 1), np.sum(x, 1))),
  min: unary((x) => np.mul(np.min(x, 0), np.sum(x, 0))),
  argmax: unary((x) => np.mul(np.cast(np.argmax(x, 1), "float32"), np.sum(np.mul(x, x), 1))),
  argmin: unary((x) => np.mul(np.cast(np.argmin(x, 0), "float32"), np.sum(np.mul(x, x), 0))),
  where: binary((a, b) => np.where(np.gt(a, 0), np.mul(a, b), np.mul(b, 3))),
  cast: unary((x) => np.mul(np.cast(np.cast(x, "int32"), "float32"), np.mul(x, x))),
  matmul: {
    f: (a, b) => np.matmul(np.tanh(a), b),
    inputs: [
      [[3, 17], -1, 1],
      [[17, 5], -1, 1],
    ],
  },
  copy: unary((x) => np.mul(np.contiguous(x.T), x.T)),
  reshape: unary((x) => np.mul(x.reshape(3, 2), x.reshape(3, 2))),
  permute: {
    f: (x) => np.mul(x.transpose([2, 0, 1]), np.sin(x.transpose([2, 0, 1]))),
    inputs: [[[2, 3, 4], -2, 2]],
  },
  expand: unary((x) => np.mul(np.broadcastTo(x, [4, 2, 3]), np.broadcastTo(x, [4, 2, 3]))),
  slice: unary((x) => np.mul(np.slice(x, ":, ::-2"), np.slice(x, ":, ::2"))),
  unslice: unary((x) => np.mul(np.unslice(x, [3, 6], [1, 1], [1, 2]), 2)),
  concat: binary((a, b) => np.mul(np.concat([a, b.reshape(1, 3)], 0), np.concat([b.reshape(1, 3), a], 0))),
  gather: unary((x) => np.mul(np.gather(x, np.array([2, 0, 2, 1], { dtype: "int32" }), 1), 3)),
  scatterAdd: unary((x) =>
    np.mul(np.scatterAdd(np.mul(x, x), np.array([1, 0, 1], { dtype: "int32" }), 1, 4), 2),
  ),
};

// sin and cos are only as accurate as Vulkan requires (2^-11 absolute, see kernels.test.ts).
const TRIG = new Set(["sin", "cos", "permute"]);

describe("every gradient on webgpu (orders 1 and 2) agrees with the js backend", () => {
  // A second-order gradient that is identically zero is a fresh host zeros array in autograd, so
  // results are compared by value without requiring device residency.
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => agreeAll(gradients(c), 1e-4, TRIG.has(name) ? 2 ** -10 : 1e-5, false));
  }
});

it("keeps first-order gradients resident on the GPU", async () => {
  await agreeAll(() => [grad(loss(np.tanh))(input(any, 1))]);
});
