// Reductions over contiguous row-major [rows, cols] data.
import { type FloatArray, allocLike, checkCount, sameDtype } from "./dtype";
import { freshArena } from "./wasm/runtime";
import { copyIn, copyOut } from "./wasm/views";

/** Σ x. Float32 input is accumulated in float64, so the result is a plain JS number. */
export function sumAll(x: FloatArray): number {
  const dtype = sameDtype({ x });
  const arena = freshArena();
  const px = arena.alloc(x.BYTES_PER_ELEMENT * x.length);
  copyIn(arena.rt, px, x);
  const ex = arena.rt.exports;
  return (dtype === "float32" ? ex.sumAllF32 : ex.sumAllF64)(px, x.length);
}

type RowKernel = "sumRows" | "sumLast" | "maxLast";

function reduceRows<T extends FloatArray>(
  kernel: RowKernel,
  x: T,
  rows: number,
  cols: number,
  outLength: number,
  out?: T,
): T {
  checkCount("rows", rows);
  checkCount("cols", cols);
  if (x.length !== rows * cols) throw new RangeError(`x must have ${rows}×${cols} elements, got ${x.length}`);
  const y = out ?? allocLike(x, outLength);
  const dtype = sameDtype({ x, out: y });
  if (y.length !== outLength) throw new RangeError(`out must have length ${outLength}, got ${y.length}`);
  const arena = freshArena();
  const px = arena.alloc(x.BYTES_PER_ELEMENT * x.length);
  const py = arena.alloc(x.BYTES_PER_ELEMENT * outLength);
  copyIn(arena.rt, px, x);
  const ex = arena.rt.exports;
  const fn = dtype === "float32" ? ex[`${kernel}F32`] : ex[`${kernel}F64`];
  fn(px, py, rows, cols);
  copyOut(arena.rt, py, y);
  return y;
}

/** Column sums: out[c] = Σ_r x[r, c] (the bias gradient of a [rows, cols] activation). */
export function sumRows<T extends FloatArray>(x: T, rows: number, cols: number, out?: T): T {
  return reduceRows("sumRows", x, rows, cols, cols, out);
}

/** Sum over the last axis: out[r] = Σ_c x[r, c]. */
export function sumLastAxis<T extends FloatArray>(x: T, rows: number, cols: number, out?: T): T {
  return reduceRows("sumLast", x, rows, cols, rows, out);
}

/** Max over the last axis: out[r] = max_c x[r, c]; NaN propagates, an empty row gives −Infinity. */
export function maxLastAxis<T extends FloatArray>(x: T, rows: number, cols: number, out?: T): T {
  return reduceRows("maxLast", x, rows, cols, rows, out);
}
