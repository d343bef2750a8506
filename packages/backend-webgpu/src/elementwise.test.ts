// Every elementwise kernel on webgpu against the js reference backend, over strided, sliced,
// reversed and broadcast device inputs.
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { agree, values, views, webgpu } from "./test-helpers";

const UNARY = ["neg", "abs", "sign", "exp", "sin", "cos", "tanh", "sigmoid", "relu", "floor", "ceil", "round"] as const;
const POSITIVE = ["log", "log1p", "sqrt", "expm1"] as const;
const ARITH = ["add", "sub", "mul", "div", "maximum", "minimum"] as const;
const COMPARE = ["eq", "ne", "lt", "le", "gt", "ge"] as const;

describe("webgpu elementwise kernels", () => {
  it("finds an adapter (a missing one is a failure, not a skip)", async () => {
    const b = await webgpu();
    expect(b.name).toBe("webgpu");
    expect(b.adapter.length).toBeGreaterThan(0);
  });

  it("runs every unary op on contiguous, transposed, stepped and reversed views", async () => {
    for (const op of UNARY) {
      for (const name of Object.keys(views(1))) await agree(() => np[op](views(1)[name]!), 2e-6, 2e-6);
    }
    for (const op of POSITIVE) await agree(() => np[op](views(2, 0.001, 3).stepped!), 2e-6, 2e-6);
    await agree(() => np.round(np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4], "float32")));
  });

  it("runs integer unary ops on int32 and uint8", async () => {
    for (const op of ["neg", "abs", "sign", "relu", "floor"] as const) {
      await agree(() => np[op](np.array([-3, 0, 5, -2147483647], "int32")));
      await agree(() => np[op](np.array([0, 1, 200, 255], "uint8")));
    }
  });

  it("runs every arithmetic and comparison op with broadcasting over strided operands", async () => {
    const a = () => views(3).transposed!; // [4, 2, 3], strided
    const b = () => np.slice(views(4).contiguous!, "0, :, 1:2").reshape(3, 1).T; // [1, 3]
    for (const op of [...ARITH, ...COMPARE]) {
      await agree(() => np[op](a(), b()));
      await agree(() => np[op](b(), a()));
      await agree(() => np[op](a(), 0.5));
    }
    await agree(() => np.pow(views(5, 0.1, 2).reversed!, views(6).reversed!), 1e-5, 1e-5);
    await agree(() => np.pow(np.array([-2, -0.5, 0, 3], "float32"), np.array([3, 2, 2, -1], "float32")));
  });

  it("wraps integer arithmetic as the host typed arrays do", async () => {
    const i = () => np.array([2147483647, -5, 7, 100], "int32");
    const u = () => np.array([200, 3, 250, 0], "uint8");
    for (const op of ["add", "sub", "mul", "maximum", "minimum"] as const) {
      await agree(() => np[op](i(), np.array([1, 3, -2, 100], "int32")));
      await agree(() => np[op](u(), np.array([100, 5, 10, 1], "uint8")));
    }
    await agree(() => np.pow(np.array([3, -2, 5], "int32"), np.array([4, 3, 0], "int32")));
    await agree(() => np.div(i(), np.array([2, 3, -4, 7], "int32")));
  });

  it("casts between float32, int32, uint8 and bool (float→int truncates toward zero)", async () => {
    const src = {
      float32: () => np.array([-2.7, -0.5, 0, 0.9, 3.5, 255.9], "float32"),
      int32: () => np.array([-3, 0, 1, 7, 300, -1], "int32"),
      uint8: () => np.array([0, 1, 2, 100, 200, 255], "uint8"),
      bool: () => np.array([true, false, true, true, false, false]),
    };
    for (const from of Object.values(src)) {
      for (const to of ["float32", "int32", "uint8", "bool"] as const) await agree(() => np.cast(from(), to));
    }
    await agree(() => np.cast(views(7).reversed!, "int32"));
  });

  it("selects with where over broadcast condition and operands", async () => {
    await agree(() => np.where(np.gt(views(8).stepped!, 0), views(9).stepped!, np.array([10, 20, 30], "float32")));
    await agree(() => np.where(np.array([true, false]).reshape(2, 1, 1), views(1).contiguous!, -1));
  });

  it("copies strided views to contiguous arrays", async () => {
    for (const name of ["transposed", "stepped", "reversed"]) await agree(() => views(10)[name]!.reshape(-1));
  });

  it("writes slices back (unslice) and concatenates along any axis", async () => {
    await agree(() => np.unslice(views(11).transposed!, [6, 5, 7], [1, 0, 2], [1, 2, 2]));
    await agree(() => np.concat([views(12).stepped!, views(13).stepped!.mul(2)], 1));
    await agree(() => np.concat([views(12).contiguous!, views(13).reversed!], 2));
  });
});

describe("webgpu errors", () => {
  it("refuses float64, naming the op and the CPU backends", async () => {
    const previous = np.getBackend();
    np.setBackend(await webgpu());
    try {
      const x = np.array([1, 2], "float64");
      expect(() => np.exp(x)).toThrow(np.BackendError);
      expect(() => np.exp(x)).toThrow(/exp: float64 .*webgpu.*js or wasm backend/);
      expect(() => np.add(np.array([1, 2], "float32"), x)).toThrow(/add: float64/);
    } finally {
      np.setBackend(previous);
    }
  });

  it("names a primitive that has no kernel yet", async () => {
    const previous = np.getBackend();
    np.setBackend(await webgpu());
    try {
      const x = np.add(np.array(values(6, 1), "float32"), 0);
      expect(() => np.gather(x, np.array([0, 2], "int32"), 0)).toThrow(/gather: the webgpu backend has no kernel/);
    } finally {
      np.setBackend(previous);
    }
  });
});
