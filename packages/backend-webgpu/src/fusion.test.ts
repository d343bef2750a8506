// compileElementwise: a fused group (the graph's ElementwiseGroup, built here by hand) runs as one
// shader; its result must be what the same ops give one by one on the js backend.
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { gpuStorage } from "./memory";
import { values, webgpu } from "./test-helpers";

type Member = np.ElementwiseMember;
const m = (op: Member["op"], dtype: np.DType, operands: number[], castTo?: np.DType): Member => ({
  op,
  dtype,
  operands,
  ...(castTo ? { castTo } : {}),
});

/** The members evaluated with eager ops on the js backend (a reference sharing no code with the shader). */
function eager(members: readonly Member[], ext: readonly np.NDArray[]): np.NDArray {
  const t: np.NDArray[] = [];
  const get = (o: number) => (o >= 0 ? t[o]! : ext[-o - 1]!);
  for (const mem of members) {
    const [a, b, c] = mem.operands.map(get);
    if (mem.op === "cast") t.push(np.cast(a!, mem.castTo!));
    else if (mem.op === "where") t.push(np.where(a!, b!, c!));
    else if (b) t.push((np[mem.op as np.BinaryOp] as (x: np.NDArray, y: np.NDArray) => np.NDArray)(a!, b));
    else t.push((np[mem.op as np.UnaryOp] as (x: np.NDArray) => np.NDArray)(a!));
  }
  return t[t.length - 1]!;
}

const CASES: {
  name: string;
  members: Member[];
  ext: () => np.NDArray[];
  literal?: (number | undefined)[];
}[] = [
  {
    name: "float32 chain: tanh(x·w + b) with b broadcast, sigmoid, exp, log1p, maximum",
    members: [
      m("mul", "float32", [-1, -2]),
      m("add", "float32", [0, -3]),
      m("tanh", "float32", [1]),
      m("sigmoid", "float32", [2]),
      m("exp", "float32", [3]),
      m("log1p", "float32", [4]),
      m("maximum", "float32", [5, -2]),
    ],
    ext: () => [
      np.array(values(24, 1), { dtype: "float32" }).reshape(4, 6),
      np.array(values(24, 2), { dtype: "float32" }).reshape(6, 4).T, // transposed
      np.broadcastTo(np.array(values(6, 3), { dtype: "float32" }), [4, 6]), // stride 0
    ],
  },
  {
    name: "compare, where, cast and an inlined constant",
    members: [
      m("gt", "bool", [-1, -2]),
      m("where", "float32", [0, -1, -3]),
      m("cast", "int32", [1], "int32"),
      m("mul", "int32", [2, -4]),
      m("cast", "float32", [3], "float32"),
    ],
    ext: () => [
      np.array(values(24, 4, -5, 5), { dtype: "float32" }).reshape(4, 6),
      np.array(values(24, 5, -5, 5), { dtype: "float32" }).reshape(4, 6),
      np.full([4, 6], -0.5, "float32"),
      np.full([4, 6], 3, "int32"),
    ],
    literal: [undefined, undefined, -0.5, 3],
  },
  {
    name: "integer wrap-around: uint8 and int32 as their typed arrays store them",
    members: [
      m("add", "uint8", [-1, -2]),
      m("mul", "uint8", [0, -2]),
      m("cast", "int32", [1], "int32"),
      m("mul", "int32", [2, -3]),
      m("neg", "int32", [3]),
    ],
    ext: () => [
      np.array(values(12, 6, 0, 255).map(Math.floor), { dtype: "uint8" }).reshape(3, 4),
      np.array(values(12, 7, 0, 255).map(Math.floor), { dtype: "uint8" }).reshape(3, 4),
      np.full([3, 4], 2 ** 30 + 7, "int32"),
    ],
  },
];

describe("compileElementwise: one WGSL shader per fused group", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const gpu = await webgpu();
      const want = eager(c.members, c.ext()); // js backend (the current one)
      const previous = np.getBackend();
      np.setBackend(gpu);
      try {
        const ext = c.ext().map((x) => gpu.device.accept(np.contiguous(x)).reshape(...x.shape));
        // Keep the host views' strides (transposed, broadcast) on the device copies' storage.
        const strided = c.ext().map((x, j) => (x.isContiguous ? ext[j]! : gpu.device.accept(x)));
        const outDtype = c.members[c.members.length - 1]!.dtype;
        const out = new np.NDArray(gpuStorage(gpu.gpu, outDtype, want.size), want.shape, outDtype);
        const literal = c.literal ?? c.ext().map(() => undefined);
        const run = gpu.compileElementwise!({ members: c.members, ext, extLiteral: literal, out });
        expect(run).toBeTypeOf("function");
        run!();
        const got = Array.from(await out.data());
        const ref = Array.from(want.dataSync());
        expect(got.length).toBe(ref.length);
        got.forEach((v, i) => {
          if (Math.abs(v - ref[i]!) > 1e-6 + 1e-5 * Math.abs(ref[i]!))
            expect.fail(`element ${i}: ${v} vs ${ref[i]}`);
        });
        run!(); // runs again on the same buffers (as a plan does each run)
        expect(Array.from(await out.data())).toEqual(got);
      } finally {
        np.setBackend(previous);
      }
    });
  }

  it("a strided device input (broadcast, transposed) is read through its strides", async () => {
    const gpu = await webgpu();
    const previous = np.getBackend();
    np.setBackend(gpu);
    try {
      const base = np.add(np.array(values(6, 8), { dtype: "float32" }), 0); // on the device
      const x = np.broadcastTo(base.reshape(1, 6), [4, 6]); // stride 0 on the device buffer
      const y = np.add(np.array(values(24, 9), { dtype: "float32" }).reshape(6, 4), 0).T;
      const out = new np.NDArray(gpuStorage(gpu.gpu, "float32", 24), [4, 6], "float32");
      const members = [m("sub", "float32", [-1, -2]), m("abs", "float32", [0])];
      gpu.compileElementwise!({ members, ext: [x, y], extLiteral: [undefined, undefined], out })!();
      const want = np.abs(np.sub(x, y));
      expect(Array.from(await out.data())).toEqual(Array.from(await want.data()));
    } finally {
      np.setBackend(previous);
    }
  });

  it("declines groups over host buffers (the graph then runs its JS loop); float64 is an error", async () => {
    const gpu = await webgpu();
    const host = np.ones([3], "float32");
    const members = [m("exp", "float32", [-1])];
    expect(
      gpu.compileElementwise!({ members, ext: [host], extLiteral: [undefined], out: host }),
    ).toBeUndefined();
    const previous = np.getBackend();
    np.setBackend(gpu);
    try {
      const d = np.add(np.ones([3], "float32"), 0);
      const f64 = [m("cast", "float64", [-1], "float64")];
      expect(() =>
        gpu.compileElementwise!({ members: f64, ext: [d], extLiteral: [undefined], out: d }),
      ).toThrow(/fused cast: float64 arrays are not supported on the webgpu backend/);
    } finally {
      np.setBackend(previous);
    }
  });
});
