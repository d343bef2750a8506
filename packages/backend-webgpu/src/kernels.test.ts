// Every kernel of ndarray's KernelTable on webgpu against the js reference kernels. The table is keyed
// by the kernel names, so a primitive added to the core without a case here is a type error.
import * as np from "@chainrule/ndarray";
import type { BinaryOp, KernelPrim, ReduceOp, UnaryOp } from "@chainrule/ndarray";
import { describe, it } from "vitest";
import { agree, values, views } from "./test-helpers";

// SwiftShader's transcendental functions are accurate to a few float32 ulps, not correctly rounded.
const RTOL = 2e-5;
const ATOL = 2e-6;
// Vulkan only requires sin and cos to be within 2^-11 absolute on [-π, π] (SwiftShader is ~1e-4 off).
const TRIG_ATOL = 2 ** -11;
const f32 = (seed: number, shape: number[], lo = -2, hi = 2) =>
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

function unary(op: UnaryOp, lo = -3, hi = 3, atol = ATOL) {
  return async () => {
    for (const x of Object.values(views(21, lo, hi))) await agree(() => np[op](x), RTOL, atol);
    await agree(() => np[op](np.array([-2, 0, 1, 3], { dtype: "int32" })), RTOL, atol);
  };
}

function binary(op: BinaryOp) {
  return async () => {
    const a = () => views(23, 0.1, 2).transposed!; // [4, 2, 3], strided
    const b = () => f32(24, [1, 3], 0.5, 2); // broadcast along two axes
    await agree(() => np[op](a(), b()), RTOL, ATOL);
    await agree(() => np[op](b(), a()), RTOL, ATOL);
    await agree(() => np[op](views(25).reversed!, views(26).reversed!), RTOL, ATOL);
    await agree(() =>
      np[op](np.array([3, -4, 7, 0], { dtype: "int32" }), np.array([2, 2, 3, 5], { dtype: "int32" })),
    );
  };
}

function reduce(op: ReduceOp) {
  return async () => {
    const x = () => views(27, 0.5, 1.5).transposed!; // [4, 2, 3]
    await agree(() => np[op](x()), RTOL, ATOL);
    await agree(() => np[op](x(), 1), RTOL, ATOL);
    await agree(() => np[op](x(), [0, 2], true), RTOL, ATOL);
    await agree(() => np[op](views(28).reversed!, -1), RTOL, ATOL);
    await agree(() =>
      np[op](
        np.array(
          [
            [1, 5, -2],
            [4, 0, 3],
          ],
          { dtype: "int32" },
        ),
        0,
      ),
    );
  };
}

const cases: Record<KernelPrim, () => Promise<unknown>> = {
  neg: unary("neg"),
  abs: unary("abs"),
  sign: unary("sign"),
  exp: unary("exp"),
  log: unary("log", 0.01, 5),
  log1p: unary("log1p", -0.9, 5),
  expm1: unary("expm1", -2, 2),
  sqrt: unary("sqrt", 0, 5),
  sin: unary("sin", -3, 3, TRIG_ATOL),
  cos: unary("cos", -3, 3, TRIG_ATOL),
  tanh: unary("tanh", -20, 20),
  sigmoid: unary("sigmoid", -30, 30),
  relu: unary("relu"),
  floor: unary("floor"),
  ceil: unary("ceil"),
  round: unary("round"),
  add: binary("add"),
  sub: binary("sub"),
  mul: binary("mul"),
  div: binary("div"),
  pow: binary("pow"),
  maximum: binary("maximum"),
  minimum: binary("minimum"),
  eq: binary("eq"),
  ne: binary("ne"),
  lt: binary("lt"),
  le: binary("le"),
  gt: binary("gt"),
  ge: binary("ge"),
  sum: reduce("sum"),
  prod: reduce("prod"),
  max: reduce("max"),
  min: reduce("min"),
  argmax: async () => {
    for (const axis of [0, 1, 2]) await agree(() => np.argmax(views(29).transposed!, axis));
    await agree(() => np.argmax(np.array([1, Number.NaN, 3, 3], { dtype: "float32" }), 0));
  },
  argmin: async () => {
    for (const axis of [0, 1, 2]) await agree(() => np.argmin(views(30).stepped!, axis));
  },
  where: async () => {
    await agree(() => np.where(np.gt(views(31).stepped!, 0), views(32).stepped!, f32(33, [3])));
  },
  cast: async () => {
    for (const to of ["float32", "int32", "bool"] as const) {
      await agree(() => np.cast(np.mul(views(34).reversed!, 60), to));
    }
    await agree(() => np.cast(np.mul(views(34, 0, 2).reversed!, 127), "uint8"));
    await agree(() => np.cast(np.array([0, 3, 255], { dtype: "uint8" }), "float32"));
  },
  matmul: async () => {
    // Sizes off the 32×32 tile (several tiles each way, a ragged edge), a batch broadcast against a
    // matrix, transposed operands.
    await agree(() => np.matmul(f32(35, [37, 21]), f32(36, [21, 19])), 1e-5, 1e-5);
    await agree(() => np.matmul(f32(51, [70, 45]), f32(52, [45, 66])), 1e-5, 1e-5);
    await agree(() => np.matmul(f32(37, [3, 5, 40]), f32(38, [40, 17])), 1e-5, 1e-5);
    await agree(() => np.matmul(f32(39, [18, 33]).T, f32(40, [20, 18]).T), 1e-5, 1e-5);
    await agree(() =>
      np.matmul(
        np.array(
          [
            [1, 2],
            [3, 4],
          ],
          { dtype: "int32" },
        ),
        np.array([[5], [-6]], { dtype: "int32" }),
      ),
    );
  },
  copy: async () => {
    for (const x of [views(41).transposed!, views(41).stepped!, views(41).reversed!]) {
      await agree(() => np.contiguous(x));
    }
  },
  unslice: async () => {
    await agree(() => np.unslice(views(42).transposed!, [6, 5, 7], [1, 0, 2], [1, 2, 2]));
  },
  concat: async () => {
    await agree(() => np.concat([views(43).stepped!, np.mul(views(44).stepped!, 2)], 1));
    await agree(() => np.concat([views(45).contiguous!, views(46).reversed!], 2));
  },
  gather: async () => {
    const idx = () => np.array([1, 0, -1, 1], { dtype: "int32" });
    for (const axis of [0, 1, 2]) await agree(() => np.gather(views(47).transposed!, idx(), axis));
    await agree(() =>
      np.gather(
        f32(48, [5, 3]),
        np.array(
          [
            [4, 0],
            [1, 1],
          ],
          { dtype: "uint8" },
        ),
        0,
      ),
    );
  },
  scatterAdd: async () => {
    const idx = () => np.array([2, 0, 2, -1, 1], { dtype: "int32" });
    await agree(() => np.scatterAdd(f32(49, [5, 3]), idx(), 0, 4));
    await agree(() => np.scatterAdd(f32(50, [3, 5, 2]).transpose([2, 1, 0]), idx(), 1, 3));
  },
};

describe("every webgpu kernel agrees with the js reference kernel", () => {
  for (const [name, run] of Object.entries(cases)) it(name, run);
});
