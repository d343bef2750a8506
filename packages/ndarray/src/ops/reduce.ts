import { allocate, type DType, floatOf, isFloat } from "../dtype";
import { run } from "../engine";
import { ShapeError, fmtShape } from "../errors";
import { NDArray } from "../ndarray";
import type { Kernel, PrimitiveTable, ReduceOp } from "../primitive";
import { normalizeAxes, normalizeAxis, sizeOf } from "../shape";
import { div, eq, mul } from "./binary";
import { cast } from "./cast";
import { broadcastTo, copyInto, reshape } from "./views";
import { zeroed } from "../slab";

type TA = NDArray["buffer"];
type Acc = Float64Array;

/**
 * Lays `x` out as a contiguous [kept, reduced] matrix: the buffer as it is when the reduced axes
 * are already last, otherwise a permuted copy. Kernels never call recorded ops, so this builds
 * the permuted view by hand.
 */
function asRows(x: NDArray, axes: readonly number[]): { src: TA; base: number } {
  const r = x.ndim;
  const suffix = axes.every((a, i) => a === r - axes.length + i);
  if (suffix && x.isContiguous) return { src: x.buffer, base: x.offset };
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const view = new NDArray(
    x.buffer,
    perm.map((p) => x.shape[p]!),
    x.dtype,
    perm.map((p) => x.strides[p]!),
    x.offset,
  );
  const src = allocate(x.dtype, x.size);
  copyInto(view, src, 0);
  return { src, base: 0 };
}

// Sums accumulate in float64 whatever the dtype, so float32 reductions stay accurate.
const REDUCERS: { [K in ReduceOp]: (src: TA, base: number, rows: number, len: number, out: TA) => void } = {
  sum: (src, base, rows, len, out) => {
    for (let i = 0, p = base; i < rows; i++) {
      let acc = 0;
      for (let j = 0; j < len; j++) acc += src[p++]!;
      out[i] = acc;
    }
  },
  prod: (src, base, rows, len, out) => {
    for (let i = 0, p = base; i < rows; i++) {
      let acc = 1;
      for (let j = 0; j < len; j++) acc *= src[p++]!;
      out[i] = acc;
    }
  },
  max: (src, base, rows, len, out) => {
    for (let i = 0, p = base; i < rows; i++) {
      let m = src[p++]!;
      for (let j = 1; j < len; j++, p++) if (src[p]! > m || src[p]! !== src[p]!) m = m !== m ? m : src[p]!;
      out[i] = m;
    }
  },
  min: (src, base, rows, len, out) => {
    for (let i = 0, p = base; i < rows; i++) {
      let m = src[p++]!;
      for (let j = 1; j < len; j++, p++) if (src[p]! < m || src[p]! !== src[p]!) m = m !== m ? m : src[p]!;
      out[i] = m;
    }
  },
};

/** Reducing leading axes of a contiguous array: accumulate whole rows (bias gradients hit this). */
function reduceLeading(op: ReduceOp, src: TA, base: number, rows: number, len: number, out: TA): void {
  const acc: Acc = zeroed(Float64Array, len); // a slab view: bias gradients hit this once per layer per step
  for (let j = 0; j < len; j++) acc[j] = src[base + j]!;
  for (let r = 1, p = base + len; r < rows; r++) {
    if (op === "sum") for (let j = 0; j < len; j++) acc[j]! += src[p++]!;
    else if (op === "prod") for (let j = 0; j < len; j++) acc[j]! *= src[p++]!;
    else if (op === "max")
      for (let j = 0; j < len; j++, p++) {
        const v = src[p]!;
        if (v > acc[j]! || v !== v) acc[j] = acc[j] !== acc[j] ? acc[j]! : v;
      }
    else
      for (let j = 0; j < len; j++, p++) {
        const v = src[p]!;
        if (v < acc[j]! || v !== v) acc[j] = acc[j] !== acc[j] ? acc[j]! : v;
      }
  }
  out.set(acc);
}

function reduceKernel(op: ReduceOp): Kernel<ReduceOp> {
  return ([x], { axes }, out) => {
    const xv = x!;
    const len = sizeOf(axes.map((a) => xv.shape[a]!));
    const rows = out.size;
    if (len === 0) return void out.buffer.fill(op === "prod" ? 1 : 0);
    const prefix = axes.every((a, i) => a === i);
    if (prefix && xv.isContiguous && axes.length < xv.ndim) {
      // Here the reduced (leading) axes index the rows and the kept ones the columns.
      return reduceLeading(op, xv.buffer, xv.offset, len, rows, out.buffer);
    }
    const { src, base } = asRows(xv, axes);
    REDUCERS[op](src, base, rows, len, out.buffer);
  };
}

export const reduceKernels: { [K in ReduceOp]: Kernel<K> } = {
  sum: reduceKernel("sum"),
  prod: reduceKernel("prod"),
  max: reduceKernel("max"),
  min: reduceKernel("min"),
};

function argKernel(better: (v: number, best: number) => boolean): Kernel<"argmax" | "argmin"> {
  return ([x], { axis }, out) => {
    const xv = x!;
    const len = xv.shape[axis]!;
    const { src, base } = asRows(xv, [axis]);
    const o = out.buffer;
    for (let i = 0, p = base; i < out.size; i++) {
      let best = src[p]!;
      let at = 0;
      for (let j = 1; j < len; j++) {
        const v = src[p + j]!;
        if (best === best && (better(v, best) || v !== v)) {
          best = v;
          at = j;
        }
      }
      o[i] = at;
      p += len;
    }
  };
}

export const argKernels: { argmax: Kernel<"argmax">; argmin: Kernel<"argmin"> } = {
  argmax: argKernel((v, b) => v > b),
  argmin: argKernel((v, b) => v < b),
};

/** Gradient of max/min: shared equally between the elements that attain it. */
function extremumVjp(g: NDArray, x: NDArray, y: NDArray, axes: readonly number[]): NDArray[] {
  const mask = cast(eq(x, broadcastTo(y, x.shape)), g.dtype);
  const count = sum(mask, axes, true);
  return [mul(broadcastTo(div(g, count), x.shape), mask)];
}

export const reducePrims: PrimitiveTable<ReduceOp | "argmax" | "argmin"> = {
  sum: { name: "sum", vjp: (g, [x]) => [broadcastTo(g, x!.shape)] },
  // Exact away from zeros; at a zero the product rule needs the product of the others.
  prod: {
    name: "prod",
    vjp: (g, [x], y) => [div(mul(broadcastTo(g, x!.shape), broadcastTo(y, x!.shape)), x!)],
  },
  max: { name: "max", vjp: (g, [x], y, { axes }) => extremumVjp(g, x!, y, axes) },
  min: { name: "min", vjp: (g, [x], y, { axes }) => extremumVjp(g, x!, y, axes) },
  argmax: { name: "argmax", vjp: () => [null] },
  argmin: { name: "argmin", vjp: () => [null] },
};

export type Axis = number | readonly number[] | undefined;

function reduce(op: ReduceOp, x: NDArray, axis: Axis, keepdims: boolean, dtype: DType): NDArray {
  const axes = normalizeAxes(axis, x.ndim, op);
  if ((op === "max" || op === "min") && axes.some((a) => x.shape[a] === 0)) {
    throw new ShapeError(`${op}: cannot reduce a zero-size axis of shape ${fmtShape(x.shape)}`);
  }
  const src = x.dtype === dtype ? x : cast(x, dtype);
  if (axes.length === 0) return src;
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = run(reducePrims[op], [src], { axes }, kept, dtype);
  return keepdims
    ? out
    : reshape(
        out,
        x.shape.filter((_, i) => !axes.includes(i)),
      );
}

// Integer and bool sums count in int32, as NumPy does with its default integer.
const sumDType = (d: DType): DType => (isFloat(d) ? d : "int32");

export const sum = (x: NDArray, axis?: Axis, keepdims = false) =>
  reduce("sum", x, axis, keepdims, sumDType(x.dtype));
export const prod = (x: NDArray, axis?: Axis, keepdims = false) =>
  reduce("prod", x, axis, keepdims, sumDType(x.dtype));
export const max = (x: NDArray, axis?: Axis, keepdims = false) => reduce("max", x, axis, keepdims, x.dtype);
export const min = (x: NDArray, axis?: Axis, keepdims = false) => reduce("min", x, axis, keepdims, x.dtype);

function arg(op: "argmax" | "argmin", x: NDArray, axis: number | undefined, keepdims: boolean): NDArray {
  if (axis === undefined) {
    const flat = arg(op, reshape(x, [-1]), 0, false);
    return keepdims
      ? reshape(
          flat,
          x.shape.map(() => 1),
        )
      : flat;
  }
  const ax = normalizeAxis(axis, x.ndim, op);
  if (x.shape[ax] === 0)
    throw new ShapeError(`${op}: cannot reduce a zero-size axis of shape ${fmtShape(x.shape)}`);
  const shape = x.shape.filter((_, i) => i !== ax);
  const out = run(reducePrims[op], [x], { axis: ax }, shape, "int32");
  return keepdims
    ? reshape(
        out,
        x.shape.map((d, i) => (i === ax ? 1 : d)),
      )
    : out;
}

/** Index of the largest element along `axis` (of the flattened array when omitted); first wins ties. */
export const argmax = (x: NDArray, axis?: number, keepdims = false) => arg("argmax", x, axis, keepdims);
export const argmin = (x: NDArray, axis?: number, keepdims = false) => arg("argmin", x, axis, keepdims);

/** Arithmetic mean; integer inputs give float32. */
export function mean(x: NDArray, axis?: Axis, keepdims = false): NDArray {
  const axes = normalizeAxes(axis, x.ndim, "mean");
  const n = sizeOf(axes.map((a) => x.shape[a]!));
  return div(sum(cast(x, floatOf(x.dtype)), axes, keepdims), n);
}
