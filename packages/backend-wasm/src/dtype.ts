export type Dtype = "float32" | "float64";
export type FloatArray = Float32Array | Float64Array;

export function dtypeOf(x: FloatArray, name = "array"): Dtype {
  if (x instanceof Float32Array) return "float32";
  if (x instanceof Float64Array) return "float64";
  throw new TypeError(`${name} must be a Float32Array or Float64Array`);
}

export function elementBytes(dtype: Dtype): number {
  return dtype === "float32" ? 4 : 8;
}

/** Throws unless every array has the same element type as the first; returns that type. */
export function sameDtype(arrays: Record<string, FloatArray>): Dtype {
  let dtype: Dtype | undefined;
  for (const [name, x] of Object.entries(arrays)) {
    const d = dtypeOf(x, name);
    if (dtype !== undefined && d !== dtype) throw new TypeError(`${name} must be ${dtype}, got ${d}`);
    dtype = d;
  }
  if (dtype === undefined) throw new TypeError("no arrays given");
  return dtype;
}

/** A new zeroed array of the same type as `like`. */
export function allocLike<T extends FloatArray>(like: T, length: number): T {
  return (like instanceof Float32Array ? new Float32Array(length) : new Float64Array(length)) as T;
}

export function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}
