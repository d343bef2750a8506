import { type DType, isFloat, assertDType } from "../dtype";
import { run } from "../engine";
import { forEachRow } from "../iter";
import type { NDArray } from "../ndarray";
import type { Kernel, PrimitiveTable } from "../primitive";

/** Converts elements; float→int truncates toward zero and float→bool tests for non-zero. */
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
    else if (toInt) for (let j = 0; j < n; j++, p += s!) o[i++] = Math.trunc(b[p]!);
    else for (let j = 0; j < n; j++, p += s!) o[i++] = b[p]!;
  });
};

export const castPrims: PrimitiveTable<"cast"> = {
  cast: { name: "cast", vjp: (g, [x]) => [isFloat(x!.dtype) ? cast(g, x!.dtype) : null] },
};

export function cast(x: NDArray, dtype: DType): NDArray {
  assertDType(dtype, "cast");
  if (x.dtype === dtype) return x;
  return run(castPrims.cast, [x], { dtype }, x.shape, dtype);
}
