import { allocate, type DType, fitsDType, weakScalarDType } from "../dtype";
import { fmtShape } from "../errors";
import { NDArray } from "../ndarray";
import { foreignCopy, foreignCopyError } from "../copies";

/** What ops accept: an array, or a plain JS number/boolean that is treated as a weakly typed scalar. */
export type Input = NDArray | number | boolean;

// Shape and strides of every 0-D array made here: shared, since shapes are never mutated.
const NO_AXES: readonly number[] = Object.freeze([]);

// Weak-scalar operands (the 11 in `x.sub(11)`, the 1 in a sigmoid gradient rule) are immutable inputs,
// so each (value, dtype) is made once and shared instead of allocated on every op. Bounded: cleared
// when full. -0 is not cached (the Map would confuse it with +0).
const SCALARS = new Map<DType, Map<number, NDArray>>();
const SCALAR_CACHE_LIMIT = 1024;

export function scalar(value: number, dtype: DType): NDArray {
  let byValue = SCALARS.get(dtype);
  const hit = byValue?.get(value);
  if (hit !== undefined && !Object.is(value, -0)) return hit;
  const b = allocate(dtype, 1);
  b[0] = value;
  const out = new NDArray(b, NO_AXES, dtype, NO_AXES);
  if (byValue === undefined) SCALARS.set(dtype, (byValue = new Map()));
  if (byValue.size >= SCALAR_CACHE_LIMIT) byValue.clear();
  if (!Object.is(value, -0)) byValue.set(value, out);
  return out;
}

/**
 * Converts a scalar operand to an array, taking its dtype from the other operand (weak typing):
 * see `weakScalarDType`. A boolean meeting a bool array stays bool. An integer that the other
 * operand's integer dtype cannot hold (300 for uint8) throws in arithmetic, as in NumPy 2; for
 * comparisons (`exact`) it becomes a float64 scalar instead, so `uint8 < 300` is simply all true.
 */
export function operand(x: Input, other: Input, op: string, exact = false): NDArray {
  if (x instanceof NDArray) return x;
  if (typeof x === "boolean") {
    if (other instanceof NDArray)
      return scalar(+x, other.dtype === "bool" ? "bool" : weakScalarDType(+x, other.dtype));
    return scalar(+x, "bool");
  }
  if (typeof x !== "number") {
    const other = foreignCopy(x);
    if (other) throw foreignCopyError(op, other);
    throw new TypeError(`${op}: expected an NDArray, a number or a boolean, got ${describe(x)}`);
  }
  if (!(other instanceof NDArray)) return scalar(x, "float32");
  const d = weakScalarDType(x, other.dtype);
  if (fitsDType(x, d)) return scalar(x, d);
  if (exact) return scalar(x, "float64");
  throw new RangeError(
    `${op}: the number ${x} does not fit the ${d} operand (shape ${fmtShape(other.shape)}); cast the array to a wider dtype first`,
  );
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "a JS array (wrap it with array())";
  return typeof x;
}

export function asArray(x: Input, op: string): NDArray {
  return operand(x, undefined as unknown as Input, op);
}
