import { recordView, run } from "../engine";
import { ShapeError, fmtShape } from "../errors";
import { forEachRow } from "../iter";
import { NDArray } from "../ndarray";
import type { Kernel, PrimitiveTable } from "../primitive";
import { normalizeAxis, shapesEqual, sizeOf } from "../shape";
import { sum } from "./reduce";
import { unslice } from "./structure";

/** Strided → contiguous copy; also the building block of other kernels. */
export const copyKernel: Kernel<"copy"> = ([x], _p, out) => copyInto(x!, out.buffer, 0);

export function copyInto(x: NDArray, dst: NDArray["buffer"], start: number): void {
  const b = x.buffer;
  let i = start;
  forEachRow(x.shape, [x.strides], [x.offset], (offs, n, [s]) => {
    let p = offs[0]!;
    if (s === 1) {
      dst.set(b.subarray(p, p + n), i);
      i += n;
    } else for (let j = 0; j < n; j++, p += s!) dst[i++] = b[p]!;
  });
}

export const viewPrims: PrimitiveTable<"reshape" | "permute" | "expand" | "slice" | "copy"> = {
  reshape: { name: "reshape", vjp: (g, [x]) => [reshape(g, x!.shape)] },
  permute: {
    name: "permute",
    vjp: (g, _x, _y, { perm }) => {
      const inv = new Array<number>(perm.length);
      perm.forEach((p, i) => (inv[p] = i));
      return [permute(g, inv)];
    },
  },
  // The one place where broadcasting is undone: sum over the axes that were broadcast.
  expand: { name: "expand", vjp: (g, [x]) => [sumTo(g, x!.shape)] },
  slice: { name: "slice", vjp: (g, [x], _y, { starts, steps }) => [unslice(g, x!.shape, starts, steps)] },
  copy: { name: "copy", vjp: (g) => [g] },
};

/** Sums `g` down to `shape`, the inverse of broadcasting `shape` up to `g.shape`. */
export function sumTo(g: NDArray, shape: readonly number[]): NDArray {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return reshape(sum(g, axes, true), shape);
}

/** A contiguous array with the same elements: `x` itself when it already is one. */
export function contiguous(x: NDArray): NDArray {
  if (x.isContiguous) return x;
  return run(viewPrims.copy, [x], {}, x.shape, x.dtype);
}

function inferShape(size: number, shape: readonly number[], from: readonly number[]): number[] {
  const out = [...shape];
  const unknown = out.indexOf(-1);
  if (unknown !== out.lastIndexOf(-1))
    throw new ShapeError(`reshape: only one dimension can be -1, got ${fmtShape(shape)}`);
  if (unknown >= 0) {
    const known = sizeOf(out.filter((_, i) => i !== unknown));
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(
        `reshape: cannot reshape array of shape ${fmtShape(from)} into ${fmtShape(shape)}`,
      );
    }
    out[unknown] = size / known;
  }
  if (out.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(out) !== size) {
    throw new ShapeError(
      `reshape: cannot reshape array of shape ${fmtShape(from)} (${size} elements) into ${fmtShape(shape)}`,
    );
  }
  return out;
}

/** A view with a new shape (one dimension may be -1); copies only when `x` is not contiguous. */
export function reshape(x: NDArray, shape: readonly number[]): NDArray {
  const target = inferShape(x.size, shape, x.shape);
  if (shapesEqual(target, x.shape)) return x;
  const src = contiguous(x);
  return recordView(
    viewPrims.reshape,
    src,
    { shape: target },
    new NDArray(src.buffer, target, src.dtype, undefined, src.offset),
  );
}

/** Reorders axes (a view). */
export function permute(x: NDArray, perm: readonly number[]): NDArray {
  const r = x.ndim;
  const norm = perm.map((p) => normalizeAxis(p, r, "permute"));
  if (norm.length !== r || new Set(norm).size !== r) {
    throw new RangeError(
      `permute: [${perm.join(", ")}] is not a permutation of the ${r} axes of ${fmtShape(x.shape)}`,
    );
  }
  if (norm.every((p, i) => p === i)) return x;
  const view = new NDArray(
    x.buffer,
    norm.map((p) => x.shape[p]!),
    x.dtype,
    norm.map((p) => x.strides[p]!),
    x.offset,
  );
  return recordView(viewPrims.permute, x, { perm: norm }, view);
}

/** Reverses the axes, or applies `perm` when given (NumPy's transpose). */
export function transpose(x: NDArray, perm?: readonly number[]): NDArray {
  return permute(x, perm ?? x.shape.map((_, i) => x.ndim - 1 - i));
}

/** Swaps the last two axes: the matrix transpose of a batch. */
export function mT(x: NDArray): NDArray {
  if (x.ndim < 2) throw new ShapeError(`mT: needs at least 2 dimensions, got ${fmtShape(x.shape)}`);
  const perm = x.shape.map((_, i) => i);
  perm[x.ndim - 1] = x.ndim - 2;
  perm[x.ndim - 2] = x.ndim - 1;
  return permute(x, perm);
}

/** Broadcasts to `shape` without copying (stride 0 along repeated axes). */
export function broadcastTo(x: NDArray, shape: readonly number[]): NDArray {
  if (shapesEqual(x.shape, shape)) return x;
  const lead = shape.length - x.ndim;
  const fail = () =>
    new ShapeError(`broadcastTo: cannot broadcast shape ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  if (lead < 0) throw fail();
  const strides = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < x.ndim; i++) {
    const d = x.shape[i]!;
    if (d === shape[lead + i]) strides[lead + i] = x.strides[i]!;
    else if (d !== 1) throw fail();
  }
  return recordView(
    viewPrims.expand,
    x,
    { shape },
    new NDArray(x.buffer, [...shape], x.dtype, strides, x.offset),
  );
}

export const expand = broadcastTo;

/** Removes axes of size 1 (all of them, or the given ones). */
export function squeeze(x: NDArray, axis?: number | readonly number[]): NDArray {
  const axes =
    axis === undefined
      ? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))
      : (typeof axis === "number" ? [axis] : axis).map((a) => normalizeAxis(a, x.ndim, "squeeze"));
  for (const a of axes) {
    if (x.shape[a] !== 1)
      throw new ShapeError(`squeeze: axis ${a} of shape ${fmtShape(x.shape)} is not of size 1`);
  }
  return reshape(
    x,
    x.shape.filter((_, i) => !axes.includes(i)),
  );
}

/** Inserts an axis of size 1 at `axis` (negative counts from the end of the result). */
export function unsqueeze(x: NDArray, axis: number): NDArray {
  const a = normalizeAxis(axis, x.ndim + 1, "unsqueeze");
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

export const expandDims = unsqueeze;

/** Flattens axes `startAxis..endAxis` (all by default) into one. */
export function flatten(x: NDArray, startAxis = 0, endAxis = -1): NDArray {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis(startAxis, x.ndim, "flatten");
  const e = normalizeAxis(endAxis, x.ndim, "flatten");
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}
