// Every differentiable primitive of @chainrule/ndarray (and the composites built on them) against
// float64 central differences, at orders 1 and 2, including broadcasting. The rules themselves
// live next to the kernels in @chainrule/ndarray/src/ops; they are tested here because the checker
// is the tape.
import * as np from "@chainrule/ndarray";
import { describe, it } from "vitest";
import { checkGrads } from "./index";

const rng = new np.Random(42);
const u = (shape: number[], lo = -2, hi = 2) => rng.uniform(shape, lo, hi, "float64");
/** Values bounded away from zero (for kinks like abs/relu and for division). */
const away = (shape: number[]) => {
  const x = u(shape, 0.3, 2);
  const signs = rng.bernoulli(0.5, shape, "float64").mul(2).sub(1);
  return x.mul(signs);
};
const check = (name: string, f: (...xs: np.NDArray[]) => np.NDArray, inputs: () => np.NDArray[]) =>
  it(name, () => {
    checkGrads(f, inputs(), { order: 1 });
    checkGrads(f, inputs(), { order: 2 });
  });

describe("unary primitives", () => {
  check("neg", np.neg, () => [u([3, 2])]);
  check("abs", np.abs, () => [away([4])]);
  check("sign (zero gradient)", np.sign, () => [away([4])]);
  check("exp", np.exp, () => [u([2, 3])]);
  check("log", np.log, () => [u([5], 0.2, 3)]);
  check("log1p", np.log1p, () => [u([5], -0.5, 3)]);
  check("expm1", np.expm1, () => [u([5])]);
  check("sqrt", np.sqrt, () => [u([5], 0.2, 3)]);
  check("sin", np.sin, () => [u([5])]);
  check("cos", np.cos, () => [u([5])]);
  check("tanh", np.tanh, () => [u([5])]);
  check("sigmoid", np.sigmoid, () => [u([5], -4, 4)]);
  check("relu", np.relu, () => [away([6])]);
  check(
    "floor/ceil/round (zero gradient)",
    (x) => np.floor(x).add(np.ceil(x)).add(np.round(x)),
    () => [np.array([0.3, 1.2, -0.7, 2.4], { dtype: "float64" })],
  );
});

describe("binary primitives, with broadcasting", () => {
  const pairs: [string, () => np.NDArray[]][] = [
    ["same shape", () => [u([2, 3]), u([2, 3])]],
    ["row broadcast", () => [u([2, 3]), u([3])]],
    ["outer broadcast", () => [u([2, 1]), u([1, 3])]],
    ["scalar", () => [u([]), u([2, 2])]],
  ];
  for (const [label, inputs] of pairs) {
    check(`add (${label})`, np.add, inputs);
    check(`sub (${label})`, np.sub, inputs);
    check(`mul (${label})`, np.mul, inputs);
    check(`div (${label})`, (a, b) => np.div(a, b.abs().add(0.5)), inputs);
    check(`pow (${label})`, (a, b) => np.pow(a.abs().add(0.5), b), inputs);
    check(`maximum (${label})`, np.maximum, inputs);
    check(`minimum (${label})`, np.minimum, inputs);
  }
  check(
    "where",
    (a, b) => np.where(np.gt(a, 0), a.mul(b), b.mul(3)),
    () => [away([2, 3]), u([3])],
  );
  check(
    "cast to float64 and back",
    (a) => np.cast(np.cast(a, "float64"), "float64").mul(a),
    () => [u([3])],
  );
});

describe("reductions", () => {
  check(
    "sum over all",
    (x) => np.sum(x.mul(x)),
    () => [u([2, 3])],
  );
  check(
    "sum over an axis, keepdims",
    (x) => np.sum(x.mul(x), 1, true).mul(x),
    () => [u([2, 3])],
  );
  check(
    "sum over several axes",
    (x) => np.sum(np.exp(x), [0, 2]),
    () => [u([2, 3, 2])],
  );
  check(
    "prod",
    (x) => np.prod(x, 1),
    () => [away([2, 3])],
  );
  check(
    "max",
    (x) => np.max(x.mul(x), 0),
    () => [u([3, 4])],
  );
  check(
    "min",
    (x) => np.min(np.sin(x), [0, 1]),
    () => [u([3, 4])],
  );
  check(
    "mean, var, std",
    (x) =>
      np
        .mean(x, 0)
        .add(np.variance(x, 1, false, 1).sum())
        .add(np.std(x)),
    () => [u([3, 4])],
  );
  check(
    "logsumexp",
    (x) => np.logsumexp(x, 1),
    () => [u([3, 4], -5, 5)],
  );
  check(
    "softmax",
    (x) => np.softmax(x),
    () => [u([2, 5])],
  );
  check(
    "logSoftmax",
    (x) => np.logSoftmax(x, 0),
    () => [u([4, 3])],
  );
});

describe("matmul", () => {
  check("2-D", np.matmul, () => [u([3, 4]), u([4, 2])]);
  check("batched with broadcast batch", np.matmul, () => [u([2, 3, 4]), u([4, 2])]);
  check(
    "1-D operands",
    (a, b) => np.matmul(a, b).add(np.matmul(np.matmul(a, b), np.matmul(a, a.T)).sum()),
    () => [u([3, 4]), u([4])],
  );
  check(
    "transposed (strided) operands",
    (a, b) => np.matmul(a.T, b.T),
    () => [u([4, 3]), u([2, 4])],
  );
  check(
    "dot and outer",
    (a, b) => np.outer(a, b).sum().add(np.dot(a, a)),
    () => [u([3]), u([2])],
  );
});

describe("views and structure", () => {
  check(
    "reshape",
    (x) => np.reshape(x, [3, 2]).mul(np.arange(6).reshape([3, 2])),
    () => [u([2, 3])],
  );
  check(
    "permute / transpose",
    (x) => np.permute(x, [2, 0, 1]).mul(np.arange(24).reshape([4, 2, 3])),
    () => [u([2, 3, 4])],
  );
  check(
    "broadcastTo",
    (x) => np.broadcastTo(x, [4, 2, 3]).mul(np.arange(24).reshape([4, 2, 3])),
    () => [u([2, 1])],
  );
  check(
    "slice with steps and negative steps",
    (x) => np.slice(x, "::-2, 1:3").mul(x.slice("1:3, :2")),
    () => [u([4, 3])],
  );
  check(
    "contiguous copy of a transpose",
    (x) => np.contiguous(x.T).mul(np.arange(6).reshape([3, 2])),
    () => [u([2, 3])],
  );
  check(
    "squeeze / unsqueeze / flatten",
    (x) => np.flatten(np.unsqueeze(np.squeeze(x), 0)).square(),
    () => [u([2, 1, 3])],
  );
  check(
    "pad",
    (x) =>
      np
        .pad(
          x,
          [
            [1, 0],
            [2, 1],
          ],
          0.5,
        )
        .square(),
    () => [u([2, 3])],
  );
  check(
    "concat / stack / split",
    (a, b) => {
      const c = np.concat([a, b.square()], 1);
      const [p, q] = np.split(np.stack([c, c.mul(2)], 0), 2, 2);
      return p!.mul(q!.sin());
    },
    () => [u([2, 3]), u([2, 1])],
  );
  check(
    "tile",
    (x) => np.tile(x, [2, 3]).square(),
    () => [u([2, 2])],
  );
  check(
    "gather with repeated indices",
    (x) => np.gather(x, [2, 0, 2], 1).square(),
    () => [u([2, 3])],
  );
  check(
    "scatterAdd",
    (x) => np.scatterAdd(x, np.array([1, 1, 0], { dtype: "int32" }), 0, 3).square(),
    () => [u([3, 2])],
  );
  check(
    "clip and leakyRelu",
    (x) => np.clip(x, -1, 1).add(np.leakyRelu(x, 0.1)),
    () => [away([6])],
  );
});

describe("a primitive defined outside the core (definePrimitive)", () => {
  const cube = np.definePrimitive<{}>({
    name: "cube",
    output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
    kernel: ([x], _p, out) => {
      const src = x!.dataSync();
      for (let i = 0; i < src.length; i++) out.buffer[i] = src[i]! ** 3;
    },
    vjp: (g, [x]) => [g.mul(x!.square()).mul(3)],
  });
  check(
    "its rule differentiates at orders 1 and 2",
    (x) => cube([x], {}).mul(x),
    () => [u([2, 3])],
  );
});
