import { grad } from "@chainrule/autograd";
import { placeholder, trace } from "@chainrule/graph";
import * as np from "@chainrule/ndarray";
import { afterAll, describe, expect, it } from "vitest";
import { compileElementwiseAnySize, createBackend, WASM_GROUP_MIN_SIZE } from "./index";
import { rng } from "./test-helpers";

type Member = np.ElementwiseMember;
const bits = (a: ArrayLike<number>) =>
  Array.from(a, (v) => (Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v));

/**
 * An independent evaluator of a group, as ElementwiseMember documents it: per element, inputs read through
 * their strides, each member computed with the reference scalar op and rounded by storing it in a typed array
 * of its dtype. It shares no code with the graph's generated loop or the wasm program.
 */
function naive(group: np.ElementwiseGroup): number[] {
  const { out, ext, extLiteral, members } = group;
  const result: number[] = [];
  const round = (dtype: np.DType, v: number) => np.allocate(dtype, 1).fill(v)[0]!;
  for (let i = 0; i < out.size; i++) {
    const idx = out.shape.map((_, d) => Math.floor(i / out.strides[d]!) % out.shape[d]!);
    const read = (j: number) => {
      const e = ext[j]!;
      return extLiteral[j] ?? e.buffer[e.offset + idx.reduce((o, q, d) => o + q * e.strides[d]!, 0)]!;
    };
    const t: number[] = [];
    for (const m of members) {
      const [a, b, c] = m.operands.map((o) => (o >= 0 ? t[o]! : read(-o - 1)));
      let v: number;
      if (m.op === "where") v = a ? b! : c!;
      else if (m.op === "cast") v = m.castTo === "bool" ? (a !== 0 ? 1 : 0) : a!;
      else if (m.op in np.unaryTable) v = np.unaryTable[m.op as np.UnaryOp].scalar(a!);
      else v = np.binaryTable[m.op as np.BinaryOp].scalar(a!, b!);
      t.push(round(m.dtype, v));
    }
    result.push(t[t.length - 1]!);
  }
  return result;
}

function values(dtype: np.DType, n: number, seed: number): np.TypedArray {
  const r = rng(seed);
  const a = np.allocate(dtype, n);
  for (let i = 0; i < n; i++)
    a[i] = dtype === "bool" ? Number(r() > 0) : dtype === "int32" ? Math.floor(r(-9, 9)) : r(-3, 3);
  if (dtype === "float32" || dtype === "float64") {
    for (let i = 0; i < n; i += 13) a[i] = [-0, 0, NaN, Infinity, -Infinity, 0.5, -2.5][i % 7]!;
  }
  return a;
}

const SHAPE = [37, 29]; // 1,073 elements: several 512-element blocks and a partial one, not a multiple of 4
const full = (dtype: np.DType, seed: number, shape = SHAPE) =>
  new np.NDArray(values(dtype, np.sizeOf(shape), seed), shape, dtype, np.contiguousStrides(shape), 0);
const row = (dtype: np.DType, seed: number) =>
  new np.NDArray(values(dtype, SHAPE[1]!, seed), SHAPE, dtype, [0, 1], 0);
const uniform = (dtype: np.DType, v: number) =>
  new np.NDArray(np.allocate(dtype, 1).fill(v), SHAPE, dtype, [0, 0], 0);
const output = (dtype: np.DType) =>
  new np.NDArray(np.allocate(dtype, np.sizeOf(SHAPE)), SHAPE, dtype, np.contiguousStrides(SHAPE), 0);

function group(
  members: Member[],
  ext: np.NDArray[],
  literals: (number | undefined)[] = [],
): np.ElementwiseGroup {
  const out = output(members[members.length - 1]!.dtype);
  return { members, ext, extLiteral: ext.map((_, j) => literals[j]), out };
}

const m = (op: Member["op"], dtype: np.DType, operands: number[], castTo?: np.DType): Member => ({
  op,
  dtype,
  operands,
  castTo,
});

function expectExact(g: np.ElementwiseGroup): void {
  const run = compileElementwiseAnySize(g);
  expect(run, "the group runs in wasm").toBeDefined();
  run!();
  expect(bits(g.out.buffer)).toEqual(bits(naive(g)));
}

describe("fused groups in wasm equal an independent per-element evaluation bit for bit", () => {
  it("relu's gradient: mul(g, cast(gt(x, 0), float32))", () => {
    expectExact(
      group(
        [m("gt", "bool", [-1, -2]), m("cast", "float32", [0], "float32"), m("mul", "float32", [-3, 1])],
        [full("float32", 1), uniform("float32", 0), full("float32", 2)],
        [undefined, 0],
      ),
    );
  });

  it("bias and relu over a repeated row", () => {
    expectExact(
      group(
        [m("add", "float32", [-1, -2]), m("relu", "float32", [0])],
        [full("float32", 3), row("float32", 4)],
      ),
    );
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`every exactly rounded op, where and comparisons on ${dtype}`, () => {
      const x = full(dtype, 5);
      const y = full(dtype, 6);
      const unary = ["neg", "abs", "sign", "sqrt", "relu", "floor", "ceil", "round"] as const;
      const binary = ["add", "sub", "mul", "div", "maximum", "minimum"] as const;
      for (const op of unary) expectExact(group([m(op, dtype, [-1])], [x]));
      for (const op of binary) {
        expectExact(group([m(op, dtype, [-1, -2])], [x, y]));
        expectExact(group([m(op, dtype, [-1, -2])], [x, row(dtype, 7)]));
        expectExact(group([m(op, dtype, [-1, -2])], [uniform(dtype, -0), y], [-0]));
      }
      for (const op of ["eq", "ne", "lt", "le", "gt", "ge"] as const) {
        expectExact(group([m(op, "bool", [-1, -2])], [x, y]));
        expectExact(group([m(op, "bool", [-1, -2]), m("cast", dtype, [0], dtype)], [x, row(dtype, 8)]));
      }
      // where(x, a, b) tests x's truth: NaN and ±0 are false.
      expectExact(group([m("where", dtype, [-1, -2, -3])], [x, y, row(dtype, 9)]));
      expectExact(group([m("cast", "bool", [-1], "bool"), m("where", dtype, [0, -2, -1])], [x, y]));
    });
  }

  it("mixed dtypes in f64 lanes: float32 members narrow through f32, as Math.fround", () => {
    // float64 and int32 inputs, a float32 member, a cast to float32 of a float64 value, a bool input.
    const members = [
      m("add", "float64", [-1, -2]),
      m("mul", "float32", [0, -3]),
      m("div", "float64", [1, -1]),
      m("cast", "float32", [2], "float32"),
      m("where", "float32", [-4, 3, 1]),
    ];
    expectExact(
      group(members, [full("float64", 10), full("int32", 11), full("float32", 12), full("bool", 13)]),
    );
  });

  it("reads its inputs when it runs, not when it is compiled", () => {
    const x = full("float32", 14);
    const s = uniform("float32", 2);
    const g = group([m("mul", "float32", [-1, -2]), m("sub", "float32", [0, -1])], [x, s]);
    const run = compileElementwiseAnySize(g)!;
    run();
    x.buffer.set(values("float32", x.size, 15));
    s.buffer[0] = -0.25;
    run();
    expect(bits(g.out.buffer)).toEqual(bits(naive(g)));
  });

  it("declines what it cannot run exactly", () => {
    const x = full("float32", 16);
    const t = new np.NDArray(values("float32", x.size, 17), SHAPE, "float32", [1, SHAPE[0]!], 0);
    const declined = [
      group([m("exp", "float32", [-1])], [x]), // V8's Math.exp, not wasm's
      group([m("pow", "float32", [-1, -1])], [x]),
      group([m("add", "int32", [-1, -1])], [full("int32", 18)]), // |0 wrapping
      group([m("cast", "int32", [-1], "int32")], [x]),
      group([m("add", "float32", [-1, -2])], [x, t]), // a transposed input
    ];
    for (const g of declined) expect(compileElementwiseAnySize(g)).toBeUndefined();
  });
});

describe("the wasm backend's compileElementwise under @chainrule/graph", () => {
  const before = np.getBackend();
  afterAll(() => np.setBackend(before));

  it("runs the traced groups in wasm, bit-identical to the graph's generated JS loops", async () => {
    const wasm = await createBackend();
    const rows = Math.ceil(WASM_GROUP_MIN_SIZE / 96) + 5;
    const r = new np.Random(3);
    const x = r.uniform([rows, 96], -1, 1, "float32");
    const w = r.uniform([96, 96], -0.2, 0.2, "float32");
    const b = r.uniform([96], -0.1, 0.1, "float32");
    // A layer, its gradient (relu′ = gt → cast → mul) and an SGD-like update expression.
    const loss = (v: np.NDArray, W: np.NDArray, B: np.NDArray) =>
      np.sum(
        np
          .relu(np.add(np.matmul(v, W), B))
          .mul(0.5)
          .square(),
      );
    const f = (v: np.NDArray) => {
      const [gv, gw] = grad(loss, [0, 1])(v, w, b);
      return [np.sub(w, np.mul(gw!, 0.01)), np.mul(gv!, 3), np.relu(np.add(v, 0.25))];
    };
    const traced = (backend: np.Backend) => {
      np.setBackend(backend);
      const g = trace(f, [placeholder([rows, 96], "float32", "x")]);
      const outs = (g(x) as np.NDArray[]).map((o) => bits(o.dataSync()));
      return { outs, plan: g.plan().toString() };
    };
    // The same backend without compileElementwise: same matmul kernels, the graph's generated JS loops.
    const js = traced({ ...wasm, name: "wasm-without-groups", compileElementwise: undefined });
    const own = traced(wasm);
    np.setBackend(before);
    expect(own.outs).toEqual(js.outs);
    expect(own.plan).toMatch(/fused\[[^\]]+\] \(wasm\)/);
    expect(js.plan).not.toMatch(/\(wasm\)/);
  });
});
