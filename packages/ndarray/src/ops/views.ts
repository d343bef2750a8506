import { recordView, run } from "../engine";
import { ShapeError, fmtShape } from "../errors";
import { forEachRow } from "../iter";
import { NDArray } from "../ndarray";
import type { Kernel, PrimitiveTable } from "../primitive";
import { assertShapeEntryTypes, contiguousStrides, normalizeAxis, shapesEqual, sizeOf } from "../shape";
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
  const fits = lead >= 0 && shape.every((d, i) => d === 1 || d === g.shape[lead + i]);
  if (!fits) {
    throw new ShapeError(`sumTo: shape ${fmtShape(g.shape)} does not broadcast from ${fmtShape(shape)}`);
  }
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
  assertShapeEntryTypes(shape, "reshape");
  const out = shape.slice();
  let unknown = -1;
  let known = 1;
  let valid = true;
  for (let i = 0; i < out.length; i++) {
    const d = out[i]!;
    if (d === -1) {
      if (unknown >= 0) throw new ShapeError(`reshape: only one dimension can be -1, got ${fmtShape(shape)}`);
      unknown = i;
    } else {
      if (!Number.isInteger(d) || d < 0) valid = false;
      known *= d;
    }
  }
  if (valid && unknown >= 0 && known !== 0 && size % known === 0) out[unknown] = size / known;
  if (!valid || (unknown >= 0 ? out[unknown] === -1 : known !== size)) {
    throw new ShapeError(
      `reshape: cannot reshape array of shape ${fmtShape(from)} (${size} elements) into ${fmtShape(shape)}`,
    );
  }
  return out;
}

/**
 * Strides that let `newShape` describe the same elements as (shape, strides) in row-major order,
 * or null when no such strides exist (then reshaping must copy). NumPy's `_attempt_nocopy_reshape`:
 * each group of old axes that merges into a group of new axes must be contiguous within itself.
 */
export function reshapeStrides(
  shape: readonly number[],
  strides: readonly number[],
  newShape: readonly number[],
): number[] | null {
  const od: number[] = [];
  const os: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 0) return contiguousStrides(newShape);
    if (shape[i] !== 1) {
      od.push(shape[i]!);
      os.push(strides[i]!);
    }
  }
  const nn = newShape.length;
  const ns = new Array<number>(nn).fill(0);
  let oi = 0;
  let oj = 1;
  let ni = 0;
  let nj = 1;
  while (ni < nn && oi < od.length) {
    let np = newShape[ni]!;
    let op = od[oi]!;
    while (np !== op) {
      if (np < op) np *= newShape[nj++]!;
      else op *= od[oj++]!;
    }
    for (let ok = oi; ok < oj - 1; ok++) if (os[ok] !== od[ok + 1]! * os[ok + 1]!) return null;
    ns[nj - 1] = os[oj - 1]!;
    for (let nk = nj - 1; nk > ni; nk--) ns[nk - 1] = ns[nk]! * newShape[nk]!;
    ni = nj++;
    oi = oj++;
  }
  // Trailing axes of size 1: any stride works; keep the row-major pattern.
  const last = ni >= 1 ? ns[ni - 1]! : 1;
  for (let nk = ni; nk < nn; nk++) ns[nk] = last;
  return ns;
}

/**
 * A new shape for the same elements (one dimension may be -1). A view whenever the strides allow
 * it, as in NumPy (always for contiguous arrays, and e.g. for adding or removing axes of size 1
 * of any view); otherwise the elements are copied first.
 */
export function reshape(x: NDArray, shape: readonly number[]): NDArray {
  const target = inferShape(x.size, shape, x.shape);
  if (shapesEqual(target, x.shape)) return x;
  const strides = x.isContiguous ? undefined : reshapeStrides(x.shape, x.strides, target);
  if (strides === null) {
    const src = contiguous(x);
    return recordView(
      viewPrims.reshape,
      src,
      { shape: target },
      new NDArray(src.storage, target, src.dtype, undefined, src.offset),
    );
  }
  return recordView(
    viewPrims.reshape,
    x,
    { shape: target },
    new NDArray(x.storage, target, x.dtype, strides, x.offset),
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
    x.storage,
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

/**
 * A stride-0 view of `x` broadcast to `shape`, NOT recorded: for kernels, which receive operands in
 * their own shapes and broadcast them to the output's. The shapes must already be known compatible.
 */
export function broadcastView(x: NDArray, shape: readonly number[]): NDArray {
  if (shapesEqual(x.shape, shape)) return x;
  const lead = shape.length - x.ndim;
  const strides = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < x.ndim; i++) if (x.shape[i] === shape[lead + i]) strides[lead + i] = x.strides[i]!;
  return new NDArray(x.storage, shape, x.dtype, strides, x.offset);
}

/** Broadcasts to `shape` without copying (stride 0 along repeated axes). */
export function broadcastTo(x: NDArray, shape: readonly number[]): NDArray {
  if (shapesEqual(x.shape, shape)) return x;
  const lead = shape.length - x.ndim;
  const fail = () =>
    new ShapeError(`broadcastTo: cannot broadcast shape ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  if (lead < 0) throw fail();
  const strides = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const t = shape[i]!;
    if (!(t >= 0 && Number.isInteger(t))) throw fail();
    if (i < lead) strides[i] = 0;
    else {
      const d = x.shape[i - lead]!;
      if (d === t) strides[i] = x.strides[i - lead]!;
      else if (d === 1) strides[i] = 0;
      else throw fail();
    }
  }
  return recordView(
    viewPrims.expand,
    x,
    { shape },
    new NDArray(x.storage, [...shape], x.dtype, strides, x.offset),
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
  if (s > e) {
    throw new RangeError(
      `flatten: startAxis ${startAxis} comes after endAxis ${endAxis} for shape ${fmtShape(x.shape)}`,
    );
  }
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}
