import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backendName } from "./testing/backend";
import { at, close, indices, randomValues, rng, values } from "./testing/helpers";
import { maxOf, meanOf, minOf, prodOf, reduceRef, sumOf } from "./testing/reference";
import * as np from "./index";

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const shapeArb = (maxRank = 4, maxDim = 4) =>
  fc.array(fc.integer({ min: 0, max: maxDim }), { maxLength: maxRank });
const viewKind = fc.constantFrom("contiguous", "transposed", "reversed", "strided", "offset");
type ViewKind = "contiguous" | "transposed" | "reversed" | "strided" | "offset";

/**
 * An array of `shape` with seeded values, laid out as the given kind of view: a plain array, the
 * transpose of an array of the reversed shape, a reversed slice (negative strides), every second
 * element of a wider array, or a slice with an offset.
 */
function makeArray(shape: number[], kind: ViewKind, seed: number, dtype: np.DType = "float64"): np.NDArray {
  const next = rng(seed);
  const fill = (s: number[]) =>
    np.array(
      randomValues(next, size(s), -4, 4).map((v) => Math.round(v * 8) / 8),
      { dtype, shape: s },
    );
  const all = (f: (d: number) => [number | null, number | null, number | null]) =>
    shape.map(f) as np.SliceSpec[];
  switch (kind) {
    case "contiguous":
      return fill(shape);
    case "transposed":
      return np.transpose(fill([...shape].reverse()));
    case "reversed":
      return np.slice(
        fill(shape),
        all(() => [null, null, -1]),
      );
    case "strided":
      return np.slice(
        fill(shape.map((d) => 2 * d)),
        all(() => [null, null, 2]),
      );
    case "offset":
      return np.slice(
        fill(shape.map((d) => d + 1)),
        all(() => [1, null, null]),
      );
  }
}

/** Two shapes that broadcast: drop leading axes and set some axes to 1, independently. */
const broadcastPair = shapeArb().chain((out) =>
  fc
    .tuple(
      fc.constant(out),
      fc.integer({ min: 0, max: out.length }),
      fc.integer({ min: 0, max: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    )
    .map(([o, da, db, ma, mb]) => [
      o.slice(da).map((d, i) => (ma[da + i] ? 1 : d)),
      o.slice(db).map((d, i) => (mb[db + i] ? 1 : d)),
    ]),
);

const binaryOps: [string, (a: np.NDArray, b: np.NDArray) => np.NDArray, (x: number, y: number) => number][] =
  [
    ["add", np.add, (x, y) => x + y],
    ["sub", np.sub, (x, y) => x - y],
    ["mul", np.mul, (x, y) => x * y],
    ["div", np.div, (x, y) => x / y],
    ["maximum", np.maximum, (x, y) => (Number.isNaN(x) || x > y ? x : y)],
    ["lt", np.lt, (x, y) => (x < y ? 1 : 0)],
    ["ge", np.ge, (x, y) => (x >= y ? 1 : 0)],
  ];

describe(`properties [${backendName}]`, () => {
  it("binary ops broadcast like an index-by-index reference, for any views as inputs", () => {
    fc.assert(
      fc.property(
        broadcastPair,
        viewKind,
        viewKind,
        fc.integer({ min: 0, max: binaryOps.length - 1 }),
        fc.constantFrom<np.DType>("float64", "float32"),
        fc.integer(),
        ([sa, sb], ka, kb, opIndex, dtype, seed) => {
          const [, op, f] = binaryOps[opIndex]!;
          const a = makeArray(sa!, ka, seed, dtype);
          const b = makeArray(sb!, kb, seed + 1, dtype);
          const r = op(a, b);
          const rank = Math.max(a.ndim, b.ndim);
          const pad = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
          const pa = pad(a.shape);
          const pb = pad(b.shape);
          const shape = pa.map((d, i) => (d === 1 ? pb[i]! : d));
          expect(r.shape).toEqual(shape);
          const pick = (x: np.NDArray, p: number[], idx: number[]) =>
            at(
              x,
              idx.slice(rank - x.ndim).map((v, i) => (p[rank - x.ndim + i] === 1 ? 0 : v)),
            );
          const round = dtype === "float32" && r.dtype !== "bool" ? Math.fround : (v: number) => v;
          for (const idx of indices(shape)) {
            const want = round(f(pick(a, pa, idx), pick(b, pb, idx)));
            if (!close(at(r, idx), want, 0, 0)) {
              throw new Error(`at [${idx}]: got ${at(r, idx)}, want ${want}`);
            }
          }
        },
      ),
    );
  });

  it("reshape preserves row-major order and round-trips, views or not", () => {
    fc.assert(
      fc.property(
        shapeArb(4, 4).filter((s) => size(s) > 0),
        viewKind,
        fc.integer(),
        fc.integer(),
        (shape, kind, seed, split) => {
          const x = makeArray(shape, kind, seed);
          const flatVals = values(x);
          // A new shape: the size's factors in another grouping.
          const n = size(shape);
          const factors: number[] = [];
          for (let m = n, p = 2; m > 1;) {
            if (m % p === 0) {
              factors.push(p);
              m /= p;
            } else p++;
          }
          const target: number[] = [];
          for (const [i, f] of factors.entries()) {
            if (target.length === 0 || (split >> i) & 1) target.push(f);
            else target[target.length - 1]! *= f;
          }
          if (target.length === 0) target.push(1);
          const r = np.reshape(x, target);
          expect(r.shape).toEqual(target);
          expect(values(r)).toEqual(flatVals);
          const back = np.reshape(r, shape);
          expect(values(back)).toEqual(flatVals);
          expect(values(np.reshape(x, [-1]))).toEqual(flatVals);
        },
      ),
    );
  });

  it("transpose by a permutation and back is the identity, and moves every element", () => {
    fc.assert(
      fc.property(
        shapeArb(5, 3).chain((s) =>
          fc.tuple(
            fc.constant(s),
            fc.shuffledSubarray(
              s.map((_, i) => i),
              { minLength: s.length },
            ),
          ),
        ),
        viewKind,
        fc.integer(),
        ([shape, perm], kind, seed) => {
          const x = makeArray(shape, kind, seed);
          const t = np.permute(x, perm);
          expect(t.buffer).toBe(x.buffer);
          for (const idx of indices(t.shape)) {
            const src = new Array<number>(shape.length);
            perm.forEach((p, i) => (src[p] = idx[i]!));
            expect(at(t, idx)).toBe(at(x, src));
          }
          const inv = new Array<number>(perm.length);
          perm.forEach((p, i) => (inv[p] = i));
          const back = np.permute(t, inv);
          expect(back.shape).toEqual(shape);
          expect(values(back)).toEqual(values(x));
          expect(values(np.transpose(np.transpose(x)))).toEqual(values(x));
        },
      ),
    );
  });

  it("reductions over random axes equal a naive reference", () => {
    const ops: [string, typeof np.sum, (v: number[]) => number][] = [
      ["sum", np.sum, sumOf],
      ["prod", np.prod, prodOf],
      ["max", np.max, maxOf],
      ["min", np.min, minOf],
      ["mean", np.mean, meanOf],
    ];
    fc.assert(
      fc.property(
        shapeArb(4, 4).chain((s) =>
          fc.tuple(fc.constant(s), fc.subarray(s.map((_, i) => i)), fc.boolean(), fc.boolean()),
        ),
        viewKind,
        fc.integer({ min: 0, max: ops.length - 1 }),
        fc.boolean(),
        fc.integer(),
        ([shape, axes, negative, all], kind, opIndex, keepdims, seed) => {
          const [name, op, f] = ops[opIndex]!;
          const empty = axes.some((a) => shape[a] === 0) || (all && size(shape) === 0);
          if ((name === "max" || name === "min") && empty) return; // these throw, tested elsewhere
          const x = makeArray(shape, kind, seed);
          const ax = all ? undefined : negative ? axes.map((a) => a - shape.length) : axes;
          const ref = reduceRef(x, ax, f);
          const r = op(x, ax, keepdims);
          expect(r.shape).toEqual(keepdims ? ref.shape : ref.keptShape);
          const got = values(r);
          ref.values.forEach((want, i) => {
            if (!close(got[i]!, want, 1e-12, 1e-12))
              throw new Error(`${name}[${i}]: got ${got[i]}, want ${want}`);
          });
        },
      ),
    );
  });

  it("slicing agrees with per-axis index arithmetic", () => {
    const axisSpec = (n: number) =>
      fc.tuple(
        fc.option(fc.integer({ min: -n, max: n }), { nil: null }),
        fc.option(fc.integer({ min: -n, max: n }), { nil: null }),
        fc.option(
          fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0),
          { nil: null },
        ),
      );
    fc.assert(
      fc.property(
        shapeArb(3, 5).chain((s) => fc.tuple(fc.constant(s), fc.tuple(...s.map(axisSpec)))),
        viewKind,
        fc.integer(),
        ([shape, specs], kind, seed) => {
          const x = makeArray(shape, kind, seed);
          const picked = specs.map(([start, stop, step], i) => {
            const n = shape[i]!;
            const st = step ?? 1;
            const norm = (v: number) => (v < 0 ? v + n : v);
            let s = start === null ? (st > 0 ? 0 : n - 1) : norm(start);
            if (st < 0 && s === n) s = n - 1;
            const e = stop === null ? (st > 0 ? n : -1) : norm(stop);
            const out: number[] = [];
            for (let k = s; st > 0 ? k < e : k > e; k += st) out.push(k);
            return out;
          });
          const y = np.slice(x, specs);
          expect(y.buffer).toBe(x.buffer);
          expect(y.shape).toEqual(picked.map((p) => p.length));
          for (const idx of indices(y.shape))
            expect(at(y, idx)).toBe(
              at(
                x,
                idx.map((k, i) => picked[i]![k]!),
              ),
            );
        },
      ),
    );
  });
});
