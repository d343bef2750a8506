import * as np from "@chainrule/ndarray";
import { afterAll, describe, expect, it } from "vitest";
import { createBackend, WASM_BINARY, WASM_ELEMENTWISE_MIN_SIZE, WASM_UNARY } from "./index";
import type { BinaryOp, UnaryOp } from "./index";

// The wasm backend's elementwise primitives against the js backend (the reference kernels), through the
// public ops, on arrays above the size threshold: every op the backend runs in wasm, bit for bit.
const before = np.getBackend();
afterAll(() => np.setBackend(before));
const wasm = await createBackend();
const UNARY = (Object.keys(WASM_UNARY) as UnaryOp[]).filter((k) => WASM_UNARY[k]);
const BINARY = (Object.keys(WASM_BINARY) as BinaryOp[]).filter((k) => WASM_BINARY[k]);
const fn = np as unknown as Record<string, (...a: np.NDArray[]) => np.NDArray>;

function onBoth(f: () => np.NDArray): [number[], number[]] {
  np.setBackend(np.jsBackend);
  const r = Array.from(f().dataSync());
  np.setBackend(wasm);
  const w = Array.from(f().dataSync());
  np.setBackend(np.jsBackend);
  return [r, w];
}
const signed = (v: number[]) => v.map((x) => (Object.is(x, -0) ? "-0" : x));

describe("the wasm backend's elementwise kernels", () => {
  it("replace exactly the ops WASM_UNARY and WASM_BINARY name", () => {
    const table = np.kernelsOf(wasm) as unknown as Record<string, unknown>;
    const ref = np.jsBackend.kernels as unknown as Record<string, unknown>;
    for (const op of Object.keys(np.unaryTable) as UnaryOp[])
      expect(table[op] !== ref[op], op).toBe(WASM_UNARY[op]);
    for (const op of Object.keys(np.binaryTable) as BinaryOp[])
      expect(table[op] !== ref[op], op).toBe(WASM_BINARY[op]);
  });

  for (const dtype of ["float32", "float64"] as const) {
    const rng = new np.Random(9);
    const n = WASM_ELEMENTWISE_MIN_SIZE + 3;
    const x = np.mul(rng.uniform([n], -3, 3, dtype), 1);
    const y = rng.uniform([n], -3, 3, dtype);
    const m = rng.uniform([2000, 9], -2, 2, dtype);
    const row = rng.uniform([9], -2, 2, dtype);

    it.each(UNARY)(`unary %s on ${dtype} equals the reference bit for bit`, (op) => {
      const [r, w] = onBoth(() => fn[op]!(op === "sqrt" ? np.abs(x) : x));
      expect(signed(w)).toEqual(signed(r));
    });

    it.each(BINARY)(
      `binary %s on ${dtype}: same shape, scalar both sides, row broadcast both sides`,
      (op) => {
        const s = np.array(0.75, { dtype });
        for (const [a, b] of [
          [x, y],
          [x, s],
          [s, y],
          [m, row],
          [row, m],
          [m, m.T.reshape(m.shape)],
        ] as [np.NDArray, np.NDArray][]) {
          const [r, w] = onBoth(() => fn[op]!(a, b));
          expect(signed(w)).toEqual(signed(r));
        }
      },
    );
  }

  it("leave small and integer arrays to the reference kernels (same results)", () => {
    const [r, w] = onBoth(() => np.add(np.arange(0, 40000, 1, "int32"), 3));
    expect(w).toEqual(r);
  });
});

describe("the wasm backend's cast and where (one-member group programs)", () => {
  const n = WASM_ELEMENTWISE_MIN_SIZE + 5;
  const table = np.kernelsOf(wasm);
  it("replace the reference kernels", () => {
    expect(table.cast).not.toBe(np.jsBackend.kernels.cast);
    expect(table.where).not.toBe(np.jsBackend.kernels.where);
  });

  it("cast between float32, float64 and bool bit for bit (NaN, ±0, values float32 cannot hold)", () => {
    const x64 = np.mul(new np.Random(2).uniform([n], -3, 3, "float64"), 1e-3);
    x64.dataSync()[0] = NaN;
    x64.dataSync()[1] = -0;
    x64.dataSync()[2] = 1e300;
    const x32 = np.cast(x64, "float32");
    for (const [x, to] of [
      [x64, "float32"],
      [x32, "float64"],
      [x64, "bool"],
      [x32, "bool"],
      [np.gt(x32, 0), "float32"],
      [np.gt(x64, 0), "float64"],
    ] as [np.NDArray, np.DType][]) {
      const [r, w] = onBoth(() => np.cast(x, to));
      expect(signed(w), `${x.dtype} → ${to}`).toEqual(signed(r));
    }
  });

  it("where with a bool condition, a broadcast row and a scalar", () => {
    const r = new np.Random(4);
    const x = r.uniform([n], -1, 1, "float32");
    const m = r.uniform([2000, 9], -1, 1, "float32");
    const row = r.uniform([9], 0, 1, "float32");
    for (const f of [
      () => np.where(np.gt(x, 0.2), x, np.neg(x)),
      () => np.where(np.lt(m, 0), row, m),
      () => np.where(np.ge(m, 0), m, np.array(-0, { dtype: "float32" })),
    ]) {
      const [a, b] = onBoth(f);
      expect(signed(b)).toEqual(signed(a));
    }
  });
});
