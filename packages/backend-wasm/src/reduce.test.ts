import * as np from "@chainrule/ndarray";
import { afterAll, describe, expect, it } from "vitest";
import { createBackend, WASM_REDUCE_MIN_SIZE } from "./index";
import { reduceInWasm, type ReducePrim } from "./reduce";
import { rng } from "./test-helpers";

// The wasm reductions against ndarray's reference kernels (jsBackend), bit for bit (−0 and NaN included), over
// shapes, every axis subset, strided views and dtypes. reduceInWasm runs wasm whatever the size; the public
// ops are checked above the size threshold at the end.

type DType = np.DType;
const ref = np.jsBackend.kernels as unknown as Record<ReducePrim, np.Kernel<"sum">>;

function randomValues(dtype: DType, n: number, seed: number, special: boolean): np.TypedArray {
  const r = rng(seed);
  const out = np.allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    if (dtype === "bool") out[i] = r() > 0 ? 1 : 0;
    else if (dtype === "uint8") out[i] = Math.floor(r(0, 256));
    // Large enough that int32 sums and products wrap, as the reference's `out[i] = acc` does.
    else if (dtype === "int32") out[i] = Math.floor(r(-(2 ** 31), 2 ** 31));
    else out[i] = r(-2, 2);
  }
  if (special && (dtype === "float32" || dtype === "float64")) {
    for (let i = 0; i < n; i += 7) out[i] = [-0, 0, NaN, Infinity, -0][Math.floor(r(0, 5))]!;
    for (let i = 3; i < n; i += 11) out[i] = out[i - 1]!; // ties
  }
  return out;
}

const contiguous = (shape: readonly number[]) => np.contiguousStrides(shape);

/** Views of logical shape `shape` over freshly filled buffers: plain, transposed, reversed, stepped, broadcast. */
function views(
  dtype: DType,
  shape: readonly number[],
  seed: number,
  special: boolean,
): [string, np.NDArray][] {
  const size = np.sizeOf(shape);
  const fill = (n: number) => randomValues(dtype, n, seed + n, special);
  const list: [string, np.NDArray][] = [
    ["contiguous", new np.NDArray(fill(size), shape, dtype, contiguous(shape), 0)],
  ];
  if (shape.length >= 2) {
    const rev = [...shape].reverse();
    const st = contiguous(rev).reverse();
    list.push(["transposed", new np.NDArray(fill(size), shape, dtype, st, 0)]);
  }
  const st = contiguous(shape);
  list.push([
    "reversed axis 0",
    new np.NDArray(fill(size), shape, dtype, [-st[0]!, ...st.slice(1)], (shape[0]! - 1) * st[0]!),
  ]);
  const wide = [...shape.slice(0, -1), 2 * shape[shape.length - 1]!];
  const ws = contiguous(wide);
  list.push([
    "every other element",
    new np.NDArray(fill(2 * size), shape, dtype, [...ws.slice(0, -1), 2], 1),
  ]);
  if (shape.length >= 2) {
    const rest = shape.slice(1);
    list.push([
      "broadcast axis 0",
      new np.NDArray(fill(np.sizeOf(rest)), shape, dtype, [0, ...contiguous(rest)], 0),
    ]);
  }
  return list;
}

function subsets(rank: number): number[][] {
  const out: number[][] = [];
  for (let m = 1; m < 1 << rank; m++) out.push([...Array(rank).keys()].filter((i) => m & (1 << i)));
  return out;
}

const bits = (a: np.TypedArray) =>
  Array.from(a, (v) => (Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v));

function outFor(x: np.NDArray, axes: readonly number[], dtype: DType): np.NDArray {
  const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const size = np.sizeOf(shape);
  return new np.NDArray(np.allocate(dtype, size), shape, dtype, contiguous(shape), 0);
}

const SHAPES: number[][] = [[1], [7], [5, 9], [9, 5], [1, 13], [13, 1], [3, 4, 5], [2, 3, 1, 6], [64, 70]];

function compare(
  op: ReducePrim,
  x: np.NDArray,
  axes: readonly number[],
  outDtype: DType,
  what: string,
): boolean {
  const expected = outFor(x, axes, outDtype);
  const actual = outFor(x, axes, outDtype);
  const params = op === "argmax" || op === "argmin" ? { axis: axes[0]! } : { axes };
  ref[op]([x], params as never, expected);
  const ran = reduceInWasm(op, x, axes, actual);
  if (ran) expect(bits(actual.buffer), what).toEqual(bits(expected.buffer));
  return ran;
}

describe("wasm reductions equal the reference kernels bit for bit", () => {
  const cases: [ReducePrim, DType[]][] = [
    ["sum", ["float32", "float64", "int32"]],
    ["prod", ["float32", "float64", "int32"]],
    ["max", ["float32", "float64", "int32", "uint8", "bool"]],
    ["min", ["float32", "float64", "int32", "uint8", "bool"]],
  ];
  for (const [op, dtypes] of cases) {
    it.each(dtypes)(`${op} over every axis subset, %s`, (dtype) => {
      let ran = 0;
      let total = 0;
      for (const shape of SHAPES) {
        for (const special of [false, true]) {
          for (const [layout, x] of views(dtype, shape, shape.length * 17 + (special ? 1 : 0), special)) {
            for (const axes of subsets(shape.length)) {
              total++;
              const what = `${op} ${dtype} [${shape}] ${layout} axes [${axes}]`;
              const before = ran;
              if (compare(op, x, axes, dtype, what)) ran++;
              const adjacent = axes.every((a, i) => i === 0 || a === axes[i - 1]! + 1);
              if (layout === "contiguous" && adjacent) expect(ran, `${what} runs in wasm`).toBe(before + 1);
            }
          }
        }
      }
      // Most layouts merge into [kept, reduced]; the rest (e.g. kept axes split by reduced ones) fall back.
      expect(ran / total).toBeGreaterThan(0.6);
    });
  }

  for (const op of ["argmax", "argmin"] as const) {
    it.each(["float32", "float64", "int32", "uint8", "bool"] as DType[])(
      `${op} along every axis, %s`,
      (dtype) => {
        for (const shape of SHAPES) {
          for (const special of [false, true]) {
            for (const [layout, x] of views(dtype, shape, shape.length * 31 + (special ? 1 : 0), special)) {
              for (let axis = 0; axis < shape.length; axis++) {
                const ran = compare(
                  op,
                  x,
                  [axis],
                  "int32",
                  `${op} ${dtype} [${shape}] ${layout} axis ${axis}`,
                );
                if (layout === "contiguous")
                  expect(ran, `${dtype} [${shape}] axis ${axis} runs in wasm`).toBe(true);
              }
            }
          }
        }
      },
    );
  }

  it("keeps the reference's −0 rules: a leading-axes sum of −0 is −0, a last-axis one +0", () => {
    const x = new np.NDArray(new Float32Array(12).fill(-0), [3, 4], "float32", [4, 1], 0);
    for (const axes of [[0], [1], [0, 1]]) {
      const out = outFor(x, axes, "float32");
      expect(reduceInWasm("sum", x, axes, out)).toBe(true);
      const expected = axes.length === 1 && axes[0] === 0 ? "-0" : 0;
      expect(bits(out.buffer)).toEqual(Array(out.size).fill(expected));
    }
  });

  it("puts NaN first: max/min propagate it, argmax/argmin give the first NaN's index", () => {
    const x = new np.NDArray(Float64Array.from([1, NaN, 5, NaN, 9, 2]), [6], "float64", [1], 0);
    for (const [op, want] of [
      ["max", NaN],
      ["min", NaN],
      ["argmax", 1],
      ["argmin", 1],
    ] as const) {
      const out = outFor(x, [0], op.startsWith("arg") ? "int32" : "float64");
      expect(reduceInWasm(op, x, [0], out)).toBe(true);
      expect(out.buffer[0]).toBe(want);
    }
  });
});

describe("the wasm backend's reduction kernels", () => {
  const before = np.getBackend();
  afterAll(() => np.setBackend(before));

  it("replace every reduction of the kernel table and agree with the js backend through the ops", async () => {
    const wasm = await createBackend();
    const table = np.kernelsOf(wasm) as unknown as Record<string, unknown>;
    for (const op of ["sum", "prod", "max", "min", "argmax", "argmin"])
      expect(table[op]).not.toBe(ref[op as ReducePrim]);
    const rows = Math.ceil(WASM_REDUCE_MIN_SIZE / 256) + 3;
    const x = new np.Random(5).uniform([rows, 256], -1, 1, "float32");
    const run = (): np.TypedArray[] => [
      np.sum(x, 0).dataSync(),
      np.sum(x, -1).dataSync(),
      np.sum(x).dataSync(),
      np.max(x, -1).dataSync(),
      np.min(x.T, 0).dataSync(),
      np.prod(np.add(np.mul(x, 0.01), 1), 0).dataSync(),
      np.argmax(x, -1).dataSync(),
      np.argmin(x, 0).dataSync(),
      np.mean(x, 0).dataSync(),
    ];
    np.setBackend(np.jsBackend);
    const expected = run().map(bits);
    np.setBackend(wasm);
    const actual = run().map(bits);
    np.setBackend(before);
    expect(actual).toEqual(expected);
  });
});
