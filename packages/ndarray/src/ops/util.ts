import { allocate, type DType, weakScalarDType } from "../dtype";
import { NDArray } from "../ndarray";

/** What ops accept: an array, or a plain JS number/boolean that is treated as a weakly typed scalar. */
export type Input = NDArray | number | boolean;

export function scalar(value: number, dtype: DType): NDArray {
  const b = allocate(dtype, 1);
  b[0] = value;
  return new NDArray(b, [], dtype);
}

/** Converts a scalar operand to an array, taking its dtype from the other operand (weak typing). */
export function operand(x: Input, other: Input, op: string): NDArray {
  if (x instanceof NDArray) return x;
  const v = typeof x === "boolean" ? +x : x;
  if (typeof v !== "number") throw new TypeError(`${op}: expected an NDArray or a number, got ${typeof x}`);
  if (other instanceof NDArray) return scalar(v, weakScalarDType(v, other.dtype));
  return scalar(v, typeof x === "boolean" ? "bool" : "float32");
}

export function asArray(x: Input, op: string): NDArray {
  return operand(x, undefined as unknown as Input, op);
}
