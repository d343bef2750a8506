// Every elementwise kernel on webgpu against the js reference backend, over strided, sliced,
// reversed and broadcast device inputs.
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { collapseAxes } from "./elementwise";
import { createWebGpuBackend } from "./index";
import { agree, views, webgpu } from "./test-helpers";

const ARITH = ["add", "sub", "mul", "div", "maximum", "minimum"] as const;
const COMPARE = ["eq", "ne", "lt", "le", "gt", "ge"] as const;

describe("webgpu elementwise kernels", () => {
  it("finds an adapter (a missing one is a failure, not a skip)", async () => {
    const b = await webgpu();
    expect(b.name).toBe("webgpu");
    expect(b.adapter.length).toBeGreaterThan(0);
  });

  it("runs integer unary ops on int32 and uint8", async () => {
    for (const op of ["neg", "abs", "sign", "relu", "floor"] as const) {
      await agree(() => np[op](np.array([-3, 0, 5, -2147483647], { dtype: "int32" })));
      await agree(() => np[op](np.array([0, 1, 200, 255], { dtype: "uint8" })));
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
    await agree(() =>
      np.pow(np.array([-2, -0.5, 0, 3], { dtype: "float32" }), np.array([3, 2, 2, -1], { dtype: "float32" })),
    );
  });

  it("wraps integer arithmetic as the host typed arrays do", async () => {
    const i = () => np.array([2147483647, -5, 7, 100], { dtype: "int32" });
    const u = () => np.array([200, 3, 250, 0], { dtype: "uint8" });
    for (const op of ["add", "sub", "mul", "maximum", "minimum"] as const) {
      await agree(() => np[op](i(), np.array([1, 3, -2, 100], { dtype: "int32" })));
      await agree(() => np[op](u(), np.array([100, 5, 10, 1], { dtype: "uint8" })));
    }
    await agree(() =>
      np.pow(np.array([3, -2, 5], { dtype: "int32" }), np.array([4, 3, 0], { dtype: "int32" })),
    );
    await agree(() => np.div(i(), np.array([2, 3, -4, 7], { dtype: "int32" })));
  });

  it("casts between float32, int32, uint8 and bool (float→int truncates toward zero)", async () => {
    const src = {
      float32: () => np.array([-2.7, -0.5, 0, 0.9, 3.5, 255.9], { dtype: "float32" }),
      int32: () => np.array([-3, 0, 1, 7, 300, -1], { dtype: "int32" }),
      uint8: () => np.array([0, 1, 2, 100, 200, 255], { dtype: "uint8" }),
      bool: () => np.array([true, false, true, true, false, false]),
    };
    for (const [name, from] of Object.entries(src)) {
      for (const to of ["float32", "int32", "uint8", "bool"] as const) {
        // Casting to the same dtype returns the input itself; negatives do not fit uint8 (a RangeError).
        if (to === name || (to === "uint8" && (name === "float32" || name === "int32"))) continue;
        await agree(() => np.cast(from(), to));
      }
    }
    await agree(() => np.cast(np.array([0, 0.9, 3.5, 255.9], { dtype: "float32" }), "uint8"));
    await agree(() => np.cast(views(7).reversed!, "int32"));
  });

  it("selects with where over broadcast condition and operands", async () => {
    await agree(() =>
      np.where(np.gt(views(8).stepped!, 0), views(9).stepped!, np.array([10, 20, 30], { dtype: "float32" })),
    );
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

describe("collapseAxes: the axes a thread decomposes its index over", () => {
  it("merges contiguous and broadcast runs, drops size-1 axes, keeps strided ones apart", () => {
    // Same-shape contiguous arrays: one axis.
    expect(
      collapseAxes(
        [4, 5, 6],
        [
          [30, 6, 1],
          [30, 6, 1],
        ],
      ),
    ).toEqual({ shape: [120], strides: [[1], [1]] });
    // A bias along the last axis of an NHWC activation: [N·H·W, C].
    expect(
      collapseAxes(
        [2, 3, 3, 8],
        [
          [72, 24, 8, 1],
          [0, 0, 0, 1],
        ],
      ),
    ).toEqual({
      shape: [18, 8],
      strides: [
        [8, 1],
        [0, 1],
      ],
    });
    // A transposed input cannot merge; a size-1 axis disappears; reversed runs merge with negative strides.
    expect(
      collapseAxes(
        [3, 1, 4],
        [
          [4, 4, 1],
          [1, 99, 3],
        ],
      ),
    ).toEqual({
      shape: [3, 4],
      strides: [
        [4, 1],
        [1, 3],
      ],
    });
    expect(collapseAxes([2, 3], [[-3, -1]])).toEqual({ shape: [6], strides: [[-1]] });
    expect(collapseAxes([], [[]])).toEqual({ shape: [], strides: [[]] });
  });
});

describe("webgpu errors", () => {
  it("refuses float64, naming the op and the CPU backends", async () => {
    const previous = np.getBackend();
    np.setBackend(await webgpu());
    try {
      const x = np.array([1, 2], { dtype: "float64" });
      expect(() => np.exp(x)).toThrow(np.BackendError);
      expect(() => np.exp(x)).toThrow(/exp: float64 .*webgpu.*js or wasm backend/);
      // Mixing promotes to float64, and the promoting cast is where it stops, with the same advice.
      expect(() => np.add(np.array([1, 2], { dtype: "float32" }), x)).toThrow(
        /cast: float64 .*js or wasm backend/,
      );
    } finally {
      np.setBackend(previous);
    }
  });

  it("gives device arrays no synchronous accessors, and reads them with await x.data()", async () => {
    const previous = np.getBackend();
    np.setBackend(await webgpu());
    try {
      const y = np.add(np.array([1, 2, 3], { dtype: "float32" }), 1);
      expect(() => y.dataSync()).toThrow(np.BackendError);
      expect(() => np.sum(y).item()).toThrow(/item: .*'webgpu' backend.*await x.data\(\)/);
      expect(Array.from(await y.data())).toEqual([2, 3, 4]);
    } finally {
      np.setBackend(previous);
    }
  });

  it("says what to install when there is no adapter", async () => {
    const none = { requestAdapter: async () => null } as unknown as GPU;
    await expect(createWebGpuBackend({ gpu: none })).rejects.toThrow(
      /no WebGPU adapter.*'webgpu' npm package.*chromium/,
    );
  });

  it("reports a lost device on the next kernel and read instead of hanging", async () => {
    const lost = await createWebGpuBackend();
    const previous = np.getBackend();
    np.setBackend(lost);
    try {
      const y = np.add(np.array([1, 2], { dtype: "float32" }), 1);
      lost.gpu.destroy();
      await expect(y.data()).rejects.toThrow(/device was lost/);
      expect(lost.lost()).toMatch(/device was lost/);
      expect(() => np.add(y, 1)).toThrow(/device was lost/);
    } finally {
      np.setBackend(previous);
    }
  });
});
