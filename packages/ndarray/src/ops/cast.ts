import { type DType, isFloat, assertDType } from "../dtype";
import { run } from "../engine";
import { forEachRow } from "../iter";
import type { NDArray } from "../ndarray";
import type { Kernel, PrimitiveTable } from "../primitive";

/**
 * Converts elements; float→int truncates toward zero and float→bool tests for non-zero. A value that does not
 * fit the integer dtype after truncation (NaN, ±Infinity, 3e9 in int32, −1 or 300 in uint8) is a RangeError,
 * the rule `full`, `array` and arithmetic with numbers follow, instead of a silent 0 or wrap.
 */
export const castKernel: Kernel<"cast"> = ([x], { dtype }, out) => {
  const src = x!;
  const o = out.buffer;
  const b = src.buffer;
  const toBool = dtype === "bool";
  const toInt = dtype === "int32" || dtype === "uint8";
  let i = 0;
  forEachRow(src.shape, [src.strides], [src.offset], (offs, n, [s]) => {
    let p = offs[0]!;
    if (toBool) for (let j = 0; j < n; j++, p += s!) o[i++] = b[p]! !== 0 ? 1 : 0;
    else if (toInt) for (let j = 0; j < n; j++, p += s!, i++) o[i] = truncChecked(b[p]!, dtype, src.dtype, i);
    else for (let j = 0; j < n; j++, p += s!) o[i++] = b[p]!;
  });
};

function truncChecked(v: number, dtype: DType, from: DType, i: number): number {
  const t = Math.trunc(v);
  const [lo, hi] = dtype === "uint8" ? [0, 255] : [-2147483648, 2147483647];
  if (t >= lo && t <= hi) return t; // false for NaN too
  throw new RangeError(`cast: the ${from} value ${v} (flat index ${i}) does not fit dtype ${dtype}`);
}

export const castPrims: PrimitiveTable<"cast"> = {
  cast: { name: "cast", vjp: (g, [x]) => [isFloat(x!.dtype) ? cast(g, x!.dtype) : null] },
};

export function cast(x: NDArray, dtype: DType): NDArray {
  assertDType(dtype, "cast");
  if (x.dtype === dtype) return x;
  return run(castPrims.cast, [x], { dtype }, x.shape, dtype);
}
