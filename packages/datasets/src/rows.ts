import { allocate, contiguous, NDArray, formatShape } from "@chainrule/ndarray";
import { product } from "./shape-format";

/** Number of elements in one row (one entry along axis 0). */
export function rowSize(x: NDArray): number {
  if (x.ndim === 0) throw new RangeError(`expected an array with a leading (row) axis, got a scalar`);
  return product(x.shape.slice(1));
}

/** Row `i` of `x` as a view that shares its buffer (no copy); `x` must be contiguous. */
export function rowView(x: NDArray, i: number): NDArray {
  const n = x.shape[0]!;
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`row ${i} is out of range for ${n} rows`);
  if (!x.isContiguous) x = contiguous(x);
  const size = rowSize(x);
  return new NDArray(x.storage, x.shape.slice(1), x.dtype, undefined, x.offset + i * size);
}

/** Copies the rows `indices` of `x` into a new contiguous array of shape [indices.length, ...]. */
export function takeRows(x: NDArray, indices: ArrayLike<number>): NDArray {
  const src = x.isContiguous ? x : contiguous(x);
  const n = src.shape[0]!;
  const size = rowSize(src);
  const count = indices.length;
  const out = allocate(src.dtype, count * size);
  const buf = src.buffer;
  const base = src.offset;
  for (let k = 0; k < count; k++) {
    const i = indices[k]!;
    if (!(i >= 0 && i < n && Number.isInteger(i))) {
      throw new RangeError(`row index ${i} is out of range for an array of shape ${formatShape(src.shape)}`);
    }
    // One element per row (labels) is faster as a plain assignment than a subarray copy.
    if (size === 1) out[k] = buf[base + i]!;
    else out.set(buf.subarray(base + i * size, base + (i + 1) * size), k * size);
  }
  return new NDArray(out, [count, ...src.shape.slice(1)], src.dtype);
}

/** Stacks equally shaped arrays along a new leading axis (the collate step of batching). */
export function stackRows(items: readonly NDArray[], what = "stack"): NDArray {
  if (items.length === 0) throw new RangeError(`${what}: nothing to stack`);
  const first = items[0]!;
  const size = first.size;
  const out = allocate(first.dtype, items.length * size);
  items.forEach((item, k) => {
    if (item.dtype !== first.dtype || formatShape(item.shape) !== formatShape(first.shape)) {
      throw new RangeError(
        `${what}: element ${k} has shape ${formatShape(item.shape)} ${item.dtype}, element 0 has ${formatShape(first.shape)} ${first.dtype}`,
      );
    }
    out.set(item.dataSync(), k * size);
  });
  return new NDArray(out, [items.length, ...first.shape], first.dtype);
}
