// ndarray's reduction primitives (sum, prod, max, min, argmax, argmin) on the wasm backend. assembly/reduce.ts
// folds each output in the reference kernels' order and f64 accumulator, so results are bit-identical to them;
// what wasm adds is folding several outputs at once (four independent chains, or f64x2 across columns).
import { jsBackend, type Kernel, type NDArray, type ReduceOp } from "@chainrule/ndarray";
import { ELEMENT_CODES, REDUCE_CODES } from "./generated/ops";
import { freshArena } from "./wasm/runtime";
import { placeInput } from "./wasm/resident";

/**
 * Below this many input elements a reduction stays on the reference kernel: the copy into wasm memory and
 * the call cost more than the fold saves (`node bench/reduce.mjs`; see the README).
 */
export const WASM_REDUCE_MIN_SIZE = 4096;

export type ReducePrim = ReduceOp | "argmax" | "argmin";

interface Dim {
  size: number;
  stride: number;
}

/** The dims as one (size, stride) axis when they step through memory as one; undefined when they do not. */
function merged(dims: readonly Dim[]): Dim | undefined {
  const live = dims.filter((d) => d.size !== 1);
  const inner = live[live.length - 1];
  if (!inner) return { size: 1, stride: 0 };
  let size = inner.size;
  for (let i = live.length - 2; i >= 0; i--) {
    if (live[i]!.stride !== inner.stride * size) return undefined;
    size *= live[i]!.size;
  }
  return { size, stride: inner.stride };
}

interface Layout {
  /** Kept axes that merge with the innermost kept one; the wasm kernel folds these outputs in one call. */
  kept: Dim;
  /** The other kept axes (row-major), one wasm call per index. */
  outer: Dim[];
  reduced: Dim;
  /** First buffer element the view reads, and how many from there. */
  lo: number;
  span: number;
}

/** The longest run of `dims`' tail that merges into one axis, and the dims before it. */
function splitInner(dims: readonly Dim[]): { inner: Dim; outer: Dim[] } {
  const live = dims.filter((d) => d.size !== 1);
  for (let i = 0; i < live.length; i++) {
    const inner = merged(live.slice(i));
    if (inner) return { inner, outer: live.slice(0, i) };
  }
  return { inner: { size: 1, stride: 0 }, outer: [] };
}

/** The view as [outer…, kept, reduced] with one stride for the reduced axes; undefined when they do not merge. */
function layoutOf(x: NDArray, axes: readonly number[]): Layout | undefined {
  const dims = x.shape.map((size, i) => ({ size, stride: x.strides[i]! }));
  const { inner: kept, outer } = splitInner(dims.filter((_, i) => !axes.includes(i)));
  const reduced = merged(dims.filter((_, i) => axes.includes(i)));
  if (!reduced) return undefined;
  let lo = x.offset;
  let hi = x.offset;
  for (const d of dims) {
    const reach = (d.size - 1) * d.stride;
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  return { kept, outer, reduced, lo, span: hi - lo + 1 };
}

/** Calls `f` with the element offset of every index of the outer dims, row-major. */
function forEachOuter(outer: readonly Dim[], f: (offset: number, k: number) => void): void {
  const index = outer.map(() => 0);
  let offset = 0;
  const count = outer.reduce((n, d) => n * d.size, 1);
  for (let k = 0; k < count; k++) {
    f(offset, k);
    for (let d = outer.length - 1; d >= 0; d--) {
      const dim = outer[d]!;
      offset += dim.stride;
      if (++index[d]! < dim.size) break;
      offset -= dim.stride * dim.size;
      index[d] = 0;
    }
  }
}

/** Whether the reference sums this case in its leading-axes loop, which starts from the first element. */
function referenceStartsFromFirst(x: NDArray, axes: readonly number[]): boolean {
  return axes.every((a, i) => a === i) && x.isContiguous && axes.length < x.ndim;
}

/**
 * Reduces `x` over `axes` into `out` (the kernel's contiguous output) in wasm, bit-identical to the reference
 * kernel; false when the layout does not fit, or with `onlyWhereFaster` when wasm would be slower.
 */
export function reduceInWasm(
  op: ReducePrim,
  x: NDArray,
  axes: readonly number[],
  out: NDArray,
  onlyWhereFaster = false,
): boolean {
  const layout = layoutOf(x, axes);
  // A small view of a large buffer would copy more than it reads; many tiny calls would not pay either.
  if (!layout || layout.span > 2 * x.size || (layout.outer.length > 0 && layout.kept.size < 4)) {
    return false;
  }
  const { kept, outer, reduced, lo, span } = layout;
  const columns = kept.stride === 1 && kept.size > 1;
  if (onlyWhereFaster && !paysOff(op, columns, kept.size, x.size)) return false;
  const arg = op === "argmax" || op === "argmin";
  const arena = freshArena();
  const bpe = x.buffer.BYTES_PER_ELEMENT;
  const px = placeInput(arena, x.buffer, lo, span);
  const py = arena.alloc(8 * out.size);
  const pBest = columns && arg ? arena.alloc(8 * kept.size) : 0;
  const { rt } = arena;
  const base = px + (x.offset - lo) * bpe;
  const code = REDUCE_CODES[op];
  const element = ELEMENT_CODES[x.dtype === "bool" ? "uint8" : x.dtype];
  const first = op === "sum" || op === "prod" ? Number(referenceStartsFromFirst(x, axes)) : 1;
  const ex = rt.exports;
  forEachOuter(outer, (offset, k) => {
    const xk = base + offset * bpe;
    const yk = py + 8 * k * kept.size;
    if (columns)
      ex.reduceColumns(code, element, xk, yk, kept.size, reduced.size, reduced.stride, first, pBest);
    else ex.reduceLines(code, element, xk, yk, kept.size, kept.stride, reduced.size, reduced.stride, first);
  });
  // The f64 results stored into the output's dtype, element by element as the reference's `out[i] = acc`.
  out.buffer
    .subarray(out.offset, out.offset + out.size)
    .set(new Float64Array(rt.memory.buffer, py, out.size));
  return true;
}

/**
 * Where wasm wins (`node bench/reduce.mjs`, float32, CPU time with the copies): folding adjacent outputs
 * together (leading axes: 2.4–3.2× from 4,096 elements) and sums/products of at least four rows (1.2–2×
 * from 8,192). A single fold (a sum of everything) is one dependent chain either way, and V8's own max/min/
 * argmax row loops were 0.7–0.8× of wasm's, so those stay on the reference.
 */
function paysOff(op: ReducePrim, columns: boolean, outputs: number, size: number): boolean {
  if (columns) return size >= WASM_REDUCE_MIN_SIZE;
  return (op === "sum" || op === "prod") && outputs >= 4 && size >= 2 * WASM_REDUCE_MIN_SIZE;
}

function pays(x: NDArray, len: number, out: NDArray): boolean {
  return x.size >= WASM_REDUCE_MIN_SIZE && len > 0 && out.size > 0;
}

/** The wasm kernel of sum/prod/max/min (the reference kernel for small inputs and unmergeable layouts). */
export function wasmReduceKernel<K extends ReduceOp>(op: K): Kernel<K> {
  const reference = jsBackend.kernels[op] as Kernel<K>;
  return (inputs, params, out) => {
    const x = inputs[0]!;
    const { axes } = params as { axes: readonly number[] };
    let len = 1;
    for (const a of axes) len *= x.shape[a]!;
    if (pays(x, len, out) && reduceInWasm(op, x, axes, out, true)) return;
    reference(inputs, params, out);
  };
}

/** The wasm kernel of argmax/argmin. */
export function wasmArgKernel<K extends "argmax" | "argmin">(op: K): Kernel<K> {
  const reference = jsBackend.kernels[op] as Kernel<K>;
  return (inputs, params, out) => {
    const x = inputs[0]!;
    const { axis } = params as { axis: number };
    if (pays(x, x.shape[axis]!, out) && reduceInWasm(op, x, [axis], out, true)) return;
    reference(inputs, params, out);
  };
}

/** Every reduction primitive's wasm kernel. */
export function reduceKernels(): { [K in ReducePrim]: Kernel<K> } {
  return {
    sum: wasmReduceKernel("sum"),
    prod: wasmReduceKernel("prod"),
    max: wasmReduceKernel("max"),
    min: wasmReduceKernel("min"),
    argmax: wasmArgKernel("argmax"),
    argmin: wasmArgKernel("argmin"),
  };
}
