// Every primitive of @chainrule/ndarray against float64 central differences, at orders 1 and 2, including
// broadcasting, from one table keyed by primitive name: a primitive without a case is a type error here. The
// unary cases come from the op table itself (each row's finite-difference domain). The rules live next to the
// kernels in @chainrule/ndarray/src/ops; they are tested here because the checker is the tape.
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
/** Away from the integers and the halves, where floor, ceil and round jump. */
const offGrid = () => np.array([0.3, 1.2, -0.7, 2.4, -1.9], { dtype: "float64" });

interface GradCase {
  readonly label: string;
  readonly f: (...xs: np.NDArray[]) => np.NDArray;
  readonly inputs: () => np.NDArray[];
}
const one = (label: string, f: GradCase["f"], inputs: GradCase["inputs"]): GradCase[] => [
  { label, f, inputs },
];

function unaryCases(op: np.UnaryOp): GradCase[] {
  const domain = np.unaryTable[op].gradDomain;
  const input = () =>
    domain === "zero" ? offGrid() : domain === "away-from-zero" ? away([6]) : u([2, 3], ...domain);
  return one(op, np.unaryOps[op], () => [input()]);
}

const broadcastPairs: readonly [string, () => np.NDArray[]][] = [
  ["same shape", () => [u([2, 3]), u([2, 3])]],
  ["row broadcast", () => [u([2, 3]), u([3])]],
  ["outer broadcast", () => [u([2, 1]), u([1, 3])]],
  ["scalar", () => [u([]), u([2, 2])]],
];
const withBroadcasting = (op: string, f: GradCase["f"]): GradCase[] =>
  broadcastPairs.map(([label, inputs]) => ({ label: `${op} (${label})`, f, inputs }));
/** A comparison has no gradient; the mask it gives must still let the gradient through the values it selects. */
const comparison = (op: np.BinaryOp): GradCase[] =>
  one(
    op,
    (a, b) => np.binaryOps[op](a, b).astype("float64").mul(a).add(b.square()),
    () => [away([2, 3]), away([3])],
  );

const unaryRows = Object.fromEntries(
  (Object.keys(np.unaryTable) as np.UnaryOp[]).map((op) => [op, unaryCases(op)]),
) as { [K in np.UnaryOp]: GradCase[] };

const cases: { readonly [K in np.PrimName]: readonly GradCase[] } = {
  ...unaryRows,
  add: withBroadcasting("add", np.add),
  sub: withBroadcasting("sub", np.sub),
  mul: withBroadcasting("mul", np.mul),
  div: withBroadcasting("div", (a, b) => np.div(a, b.abs().add(0.5))),
  pow: withBroadcasting("pow", (a, b) => np.pow(a.abs().add(0.5), b)),
  maximum: withBroadcasting("maximum", np.maximum),
  minimum: withBroadcasting("minimum", np.minimum),
  eq: comparison("eq"),
  ne: comparison("ne"),
  lt: comparison("lt"),
  le: comparison("le"),
  gt: comparison("gt"),
  ge: comparison("ge"),
  sum: [
    ...one(
      "sum over all",
      (x) => np.sum(x.mul(x)),
      () => [u([2, 3])],
    ),
    ...one(
      "sum over an axis, keepdims",
      (x) => np.sum(x.mul(x), 1, true).mul(x),
      () => [u([2, 3])],
    ),
    ...one(
      "sum over several axes",
      (x) => np.sum(np.exp(x), [0, 2]),
      () => [u([2, 3, 2])],
    ),
  ],
  prod: one(
    "prod",
    (x) => np.prod(x, 1),
    () => [away([2, 3])],
  ),
  max: one(
    "max",
    (x) => np.max(x.mul(x), 0),
    () => [u([3, 4])],
  ),
  min: one(
    "min",
    (x) => np.min(np.sin(x), [0, 1]),
    () => [u([3, 4])],
  ),
  argmax: one(
    "argmax (no gradient)",
    (x) => np.max(x, 1).add(np.argmax(x, 1).astype("float64")),
    () => [u([3, 4])],
  ),
  argmin: one(
    "argmin (no gradient)",
    (x) => np.min(x, 0).mul(np.argmin(x, 0).astype("float64")),
    () => [u([3, 4])],
  ),
  where: one(
    "where",
    (a, b) => np.where(np.gt(a, 0), a.mul(b), b.mul(3)),
    () => [away([2, 3]), u([3])],
  ),
  cast: one(
    "cast to float32 and back",
    (a) => np.cast(np.cast(a, "float32"), "float64").round().add(np.cast(a, "float64").mul(a)),
    () => [offGrid()],
  ),
  matmul: [
    ...one("matmul 2-D", np.matmul, () => [u([3, 4]), u([4, 2])]),
    ...one("matmul batched with broadcast batch", np.matmul, () => [u([2, 3, 4]), u([4, 2])]),
    ...one(
      "matmul of 1-D operands",
      (a, b) => np.matmul(a, b).add(np.matmul(np.matmul(a, b), np.matmul(a, a.T)).sum()),
      () => [u([3, 4]), u([4])],
    ),
    ...one(
      "matmul of transposed (strided) operands",
      (a, b) => np.matmul(a.T, b.T),
      () => [u([4, 3]), u([2, 4])],
    ),
  ],
  copy: one(
    "copy (contiguous of a transpose)",
    (x) => np.contiguous(x.T).mul(np.arange(6).reshape([3, 2])),
    () => [u([2, 3])],
  ),
  reshape: one(
    "reshape",
    (x) => np.reshape(x, [3, 2]).mul(np.arange(6).reshape([3, 2])),
    () => [u([2, 3])],
  ),
  permute: one(
    "permute",
    (x) => np.permute(x, [2, 0, 1]).mul(np.arange(24).reshape([4, 2, 3])),
    () => [u([2, 3, 4])],
  ),
  expand: one(
    "expand (broadcastTo)",
    (x) => np.broadcastTo(x, [4, 2, 3]).mul(np.arange(24).reshape([4, 2, 3])),
    () => [u([2, 1])],
  ),
  slice: one(
    "slice with steps and negative steps",
    (x) => np.slice(x, "::-2, 1:3").mul(x.slice("1:3, :2")),
    () => [u([4, 3])],
  ),
  // unslice is slice's gradient; order 2 of a slice differentiates it, and pad records it directly.
  unslice: one(
    "unslice (pad)",
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
  ),
  concat: one(
    "concat",
    (a, b) => np.concat([a, b.square()], 1).sin(),
    () => [u([2, 3]), u([2, 1])],
  ),
  gather: one(
    "gather with repeated indices",
    (x) => np.gather(x, [2, 0, 2], 1).square(),
    () => [u([2, 3])],
  ),
  scatterAdd: one(
    "scatterAdd",
    (x) => np.scatterAdd(x, np.array([1, 1, 0], { dtype: "int32" }), 0, 3).square(),
    () => [u([3, 2])],
  ),
};

const check = ({ label, f, inputs }: GradCase) =>
  it(label, () => {
    checkGrads(f, inputs(), { order: 1 });
    checkGrads(f, inputs(), { order: 2 });
  });

describe("every primitive, by name", () => {
  for (const [name, list] of Object.entries(cases)) describe(name, () => list.forEach(check));
});

describe("composites", () => {
  const composites: GradCase[] = [
    ...one(
      "mean, var, std",
      (x) =>
        np
          .mean(x, 0)
          .add(np.variance(x, 1, false, 1).sum())
          .add(np.std(x)),
      () => [u([3, 4])],
    ),
    ...one(
      "logsumexp",
      (x) => np.logsumexp(x, 1),
      () => [u([3, 4], -5, 5)],
    ),
    ...one(
      "softmax",
      (x) => np.softmax(x),
      () => [u([2, 5])],
    ),
    ...one(
      "logSoftmax",
      (x) => np.logSoftmax(x, 0),
      () => [u([4, 3])],
    ),
    ...one(
      "dot and outer",
      (a, b) => np.outer(a, b).sum().add(np.dot(a, a)),
      () => [u([3]), u([2])],
    ),
    ...one(
      "squeeze / unsqueeze / flatten",
      (x) => np.flatten(np.unsqueeze(np.squeeze(x), 0)).square(),
      () => [u([2, 1, 3])],
    ),
    ...one(
      "stack / split",
      (a, b) => {
        const c = np.concat([a, b.square()], 1);
        const [p, q] = np.split(np.stack([c, c.mul(2)], 0), 2, 2);
        return p!.mul(q!.sin());
      },
      () => [u([2, 3]), u([2, 1])],
    ),
    ...one(
      "tile",
      (x) => np.tile(x, [2, 3]).square(),
      () => [u([2, 2])],
    ),
    ...one(
      "clip and leakyRelu",
      (x) => np.clip(x, -1, 1).add(np.leakyRelu(x, 0.1)),
      () => [away([6])],
    ),
  ];
  composites.forEach(check);
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
  check({
    label: "its rule differentiates at orders 1 and 2",
    f: (x) => cube([x], {}).mul(x),
    inputs: () => [u([2, 3])],
  });
});
