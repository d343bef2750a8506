import { isIntegral, promote } from "../dtype";
import { run } from "../engine";
import { ShapeError, fmtShape } from "../errors";
import { forEachRow } from "../iter";
import { NDArray } from "../ndarray";
import type { Kernel, PrimitiveTable } from "../primitive";
import { normalizeAxis, shapesEqual, sizeOf } from "../shape";
import { eq } from "./binary";
import { cast } from "./cast";
import { arange, full } from "../creation";
import { where } from "./where";
import { slice, stridedSlice, type SliceSpec } from "./slice";
import { broadcastTo, reshape, unsqueeze } from "./views";
import { checkRange } from "./deferred";

/** Writes `src` into the strided region (shape of src, `strides`, `offset`) of `dst`. */
function writeStrided(
  dst: NDArray["buffer"],
  strides: readonly number[],
  offset: number,
  src: NDArray,
  accumulate = false,
) {
  const b = src.buffer;
  forEachRow(src.shape, [strides, src.strides], [offset, src.offset], (offs, n, [ds, ss]) => {
    let d = offs[0]!;
    let s = offs[1]!;
    if (accumulate) for (let j = 0; j < n; j++, d += ds!, s += ss!) dst[d]! += b[s]!;
    else for (let j = 0; j < n; j++, d += ds!, s += ss!) dst[d] = b[s]!;
  });
}

export const unsliceKernel: Kernel<"unslice"> = ([g], { starts, steps }, out) => {
  let offset = 0;
  starts.forEach((s, i) => (offset += s * out.strides[i]!));
  writeStrided(
    out.buffer,
    out.strides.map((st, i) => st * steps[i]!),
    offset,
    g!,
  );
};

export const concatKernel: Kernel<"concat"> = (inputs, { axis }, out) => {
  let start = 0;
  for (const x of inputs) {
    writeStrided(out.buffer, out.strides, start * out.strides[axis]!, x);
    start += x.shape[axis]!;
  }
};

function indexList(indices: NDArray, n: number, op: string): Int32Array {
  const idx = Int32Array.from(indices.dataSync());
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    if (v < -n || v >= n) throw new RangeError(`${op}: index ${v} is out of range for an axis of size ${n}`);
    if (v < 0) idx[i] = v + n;
  }
  return idx;
}

export const gatherKernel: Kernel<"gather"> = ([x, indices], { axis }, out) => {
  const src = x!.dataSync();
  const n = x!.shape[axis]!;
  const outer = sizeOf(x!.shape.slice(0, axis));
  const inner = sizeOf(x!.shape.slice(axis + 1));
  const idx = indexList(indices!, n, "gather");
  const o = out.buffer;
  let p = 0;
  for (let a = 0; a < outer; a++) {
    for (let i = 0; i < idx.length; i++) {
      const base = (a * n + idx[i]!) * inner;
      if (inner === 1) o[p++] = src[base]!;
      else {
        o.set(src.subarray(base, base + inner), p);
        p += inner;
      }
    }
  }
};

export const scatterAddKernel: Kernel<"scatterAdd"> = ([g, indices], { axis, size }, out) => {
  const src = g!.dataSync();
  const idx = indexList(indices!, size, "scatterAdd");
  const outer = sizeOf(g!.shape.slice(0, axis));
  const inner = sizeOf(g!.shape.slice(axis + indices!.ndim));
  const o = out.buffer;
  let p = 0;
  for (let a = 0; a < outer; a++) {
    for (let i = 0; i < idx.length; i++) {
      const base = (a * size + idx[i]!) * inner;
      for (let j = 0; j < inner; j++) o[base + j]! += src[p++]!;
    }
  }
};

export const structurePrims: PrimitiveTable<"unslice" | "concat" | "gather" | "scatterAdd"> = {
  unslice: {
    name: "unslice",
    vjp: (g, [x], _y, { starts, steps }) => [stridedSlice(g, starts, steps, x!.shape)],
  },
  concat: {
    name: "concat",
    vjp: (g, inputs, _y, { axis }) => {
      let start = 0;
      return inputs.map((x) => {
        const spec: SliceSpec[] = g.shape.map(() => null);
        spec[axis] = [start, start + x.shape[axis]!];
        start += x.shape[axis]!;
        return slice(g, spec);
      });
    },
  },
  gather: {
    name: "gather",
    vjp: (g, [x, indices], _y, { axis }) => [scatterAdd(g, indices!, axis, x!.shape[axis]!), null],
  },
  scatterAdd: {
    name: "scatterAdd",
    vjp: (g, [, indices], _y, { axis }) => [gather(g, indices!, axis), null],
  },
};

/** Places `x` into zeros of `shape` at `starts` with `steps` (the adjoint of slicing). */
export function unslice(
  x: NDArray,
  shape: readonly number[],
  starts: readonly number[],
  steps: readonly number[],
) {
  checkUnslice(x, shape, starts, steps);
  return run(structurePrims.unslice, [x], { shape, starts, steps }, shape, x.dtype);
}

/** Every element of `x` must land inside `shape`: start + k·step in [0, size) along each axis. */
function checkUnslice(
  x: NDArray,
  shape: readonly number[],
  starts: readonly number[],
  steps: readonly number[],
) {
  const fail = (why: string): never => {
    throw new ShapeError(
      `unslice: cannot place an array of shape ${fmtShape(x.shape)} into ${fmtShape(shape)} at starts ` +
        `${fmtShape(starts)} with steps ${fmtShape(steps)}: ${why}`,
    );
  };
  if (shape.length !== x.ndim || starts.length !== x.ndim || steps.length !== x.ndim)
    fail("shape, starts and steps need one entry per axis");
  shape.forEach((size, i) => {
    const [n, start, step] = [x.shape[i]!, starts[i]!, steps[i]!];
    if (!Number.isInteger(size) || size < 0) fail(`axis ${i}: size ${size} is not a non-negative integer`);
    if (!Number.isInteger(start) || !Number.isInteger(step) || step === 0)
      fail(`axis ${i}: start and step must be integers, step non-zero`);
    const last = start + (n - 1) * step;
    if (n > 0 && (start < 0 || start >= size || last < 0 || last >= size))
      fail(`axis ${i}: positions ${start}…${last} fall outside [0, ${size})`);
  });
}

/** Pads each axis with `[before, after]` elements of `value` (constant mode). */
export function pad(x: NDArray, widths: readonly (readonly [number, number])[] | number, value = 0): NDArray {
  const w = typeof widths === "number" ? x.shape.map(() => [widths, widths] as const) : widths;
  if (
    w.length !== x.ndim ||
    w.some(([a, b]) => !Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0)
  ) {
    throw new ShapeError(
      `pad: widths ${JSON.stringify(w)} do not fit an array of shape ${fmtShape(x.shape)}`,
    );
  }
  const shape = x.shape.map((d, i) => d + w[i]![0] + w[i]![1]);
  const starts = w.map(([a]) => a);
  const steps = w.map(() => 1);
  const inner = unslice(x, shape, starts, steps);
  if (value === 0) return inner;
  // Select rather than shift (x - v, pad with 0, + v), which would round float inputs.
  const mask = unslice(full(x.shape, 1, "bool"), shape, starts, steps);
  return where(mask, inner, full([], value, x.dtype));
}

/** Joins arrays along an existing axis. */
export function concat(arrays: readonly NDArray[], axis = 0): NDArray {
  if (arrays.length === 0) throw new ShapeError("concat: needs at least one array");
  const first = arrays[0]!;
  const ax = normalizeAxis(axis, first.ndim, "concat");
  for (const a of arrays) {
    if (a.ndim !== first.ndim || a.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new ShapeError(
        `concat: shapes ${arrays.map((x) => fmtShape(x.shape)).join(", ")} differ outside axis ${ax}`,
      );
    }
  }
  if (arrays.length === 1) return first;
  const dtype = arrays.map((a) => a.dtype).reduce(promote);
  const inputs = arrays.map((a) => cast(a, dtype));
  const shape = [...first.shape];
  shape[ax] = arrays.reduce((s, a) => s + a.shape[ax]!, 0);
  return run(structurePrims.concat, inputs, { axis: ax }, shape, dtype);
}

/** Joins arrays along a new axis. */
export function stack(arrays: readonly NDArray[], axis = 0): NDArray {
  if (arrays.length === 0) throw new ShapeError("stack: needs at least one array");
  const first = arrays[0]!;
  if (arrays.some((a) => !shapesEqual(a.shape, first.shape))) {
    throw new ShapeError(
      `stack: all arrays must have the same shape, got ${arrays.map((a) => fmtShape(a.shape)).join(", ")}`,
    );
  }
  const ax = normalizeAxis(axis, first.ndim + 1, "stack");
  return concat(
    arrays.map((a) => unsqueeze(a, ax)),
    ax,
  );
}

/** Splits into `sections` equal parts, or at the given indices, along `axis`. */
export function split(x: NDArray, sections: number | readonly number[], axis = 0): NDArray[] {
  const ax = normalizeAxis(axis, x.ndim, "split");
  const n = x.shape[ax]!;
  let bounds: number[];
  if (typeof sections === "number") {
    if (!Number.isInteger(sections) || sections <= 0 || n % sections !== 0) {
      throw new ShapeError(
        `split: axis ${ax} of shape ${fmtShape(x.shape)} does not divide into ${sections} equal parts`,
      );
    }
    bounds = Array.from({ length: sections - 1 }, (_, i) => ((i + 1) * n) / sections);
  } else {
    bounds = [...sections];
    let prev = 0;
    for (const b of bounds) {
      if (!Number.isInteger(b) || b < prev || b > n) {
        throw new RangeError(
          `split: indices [${sections.join(", ")}] must be non-decreasing integers in [0, ${n}] (axis ${ax} of shape ${fmtShape(x.shape)})`,
        );
      }
      prev = b;
    }
  }
  const edges = [0, ...bounds, n];
  return edges.slice(1).map((end, i) => {
    const spec: SliceSpec[] = x.shape.map(() => null);
    spec[ax] = [edges[i]!, end];
    return slice(x, spec);
  });
}

/** Repeats the whole array `reps[i]` times along axis i (NumPy tile), through a broadcast view. */
export function tile(x: NDArray, reps: readonly number[]): NDArray {
  if (reps.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new RangeError(`tile: repetitions [${reps.join(", ")}] must be non-negative integers`);
  }
  const r = Math.max(reps.length, x.ndim);
  const shape = [...new Array<number>(r - x.ndim).fill(1), ...x.shape];
  const rp = [...new Array<number>(r - reps.length).fill(1), ...reps];
  const interleaved = reshape(
    x,
    shape.flatMap((d) => [1, d]),
  );
  const expanded = broadcastTo(
    interleaved,
    shape.flatMap((d, i) => [rp[i]!, d]),
  );
  return reshape(
    expanded,
    shape.map((d, i) => d * rp[i]!),
  );
}

/** Picks entries of `x` along `axis` by integer `indices` (NumPy take / TF gather). */
export function gather(x: NDArray, indices: NDArray | readonly number[], axis = 0): NDArray {
  const idx = indexArray(indices, "gather");
  const ax = normalizeAxis(axis, x.ndim, "gather");
  checkIndices(idx, x.shape[ax]!, `axis ${ax} of shape ${fmtShape(x.shape)}`, "gather");
  const shape = [...x.shape.slice(0, ax), ...idx.shape, ...x.shape.slice(ax + 1)];
  return run(structurePrims.gather, [x, idx], { axis: ax }, shape, x.dtype);
}

export const take = gather;

/** Integer indices as an int32/uint8 array; JS arrays must hold integers. */
function indexArray(indices: NDArray | readonly number[], op: string): NDArray {
  if (indices instanceof NDArray) {
    if (!isIntegral(indices.dtype)) {
      throw new TypeError(`${op}: indices must be an int32 or uint8 array, got ${indices.dtype}`);
    }
    return indices;
  }
  for (const v of indices) {
    if (!Number.isInteger(v)) throw new TypeError(`${op}: index ${v} is not an integer`);
  }
  return new NDArray(Int32Array.from(indices), [indices.length], "int32");
}

/** Throws naming the first index outside [-n, n); indices on a device are checked at the next read. */
function checkIndices(idx: NDArray, n: number, place: string, op: string): void {
  const where = idx.onDevice ? " (device indices: checked at the first read after the op)" : "";
  checkRange(
    idx,
    -n,
    n - 1,
    (v) => new RangeError(`${op}: index ${v} is out of range for ${place} (size ${n})${where}`),
  );
}

/** Adds slices of `g` into zeros at `indices` along `axis` (the adjoint of gather). */
export function scatterAdd(g: NDArray, indices: NDArray, axis: number, size: number): NDArray {
  indexArray(indices, "scatterAdd");
  const ax = normalizeAxis(axis, g.ndim - indices.ndim + 1, "scatterAdd");
  const idxShape = g.shape.slice(ax, ax + indices.ndim);
  if (!shapesEqual(idxShape, indices.shape)) {
    throw new ShapeError(
      `scatterAdd: indices of shape ${fmtShape(indices.shape)} do not match axes ${ax}.. of shape ${fmtShape(g.shape)}`,
    );
  }
  checkIndices(indices, size, "the output axis", "scatterAdd");
  const shape = [...g.shape.slice(0, ax), size, ...g.shape.slice(ax + indices.ndim)];
  return run(structurePrims.scatterAdd, [g, indices], { axis: ax, size }, shape, g.dtype);
}

/** One-hot encodes integer labels along a new last axis. */
export function oneHot(
  indices: NDArray | readonly number[],
  depth: number,
  dtype: NDArray["dtype"] = "float32",
) {
  if (!Number.isInteger(depth) || depth < 0) {
    throw new RangeError(`oneHot: depth must be a non-negative integer, got ${depth}`);
  }
  const idx = indexArray(indices, "oneHot");
  const d = idx.dataSync();
  for (let i = 0; i < d.length; i++) {
    if (d[i]! < 0 || d[i]! >= depth) throw new RangeError(`oneHot: label ${d[i]} is outside [0, ${depth})`);
  }
  return cast(eq(unsqueeze(idx, -1), arange(depth, undefined, undefined, "int32")), dtype);
}
