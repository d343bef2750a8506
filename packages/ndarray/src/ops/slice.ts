import { recordView } from "../engine";
import { ShapeError, fmtShape } from "../errors";
import { NDArray } from "../ndarray";
import { reshape, viewPrims } from "./views";

/** One axis of a slice: an index (drops the axis), `null` (the whole axis), or start/stop/step. */
export type SliceSpec =
  | number
  | null
  | "..."
  | readonly [start?: number | null, stop?: number | null, step?: number | null]
  | { start?: number | null; stop?: number | null; step?: number | null };

function parseString(spec: string): SliceSpec[] {
  return spec.split(",").map((part) => {
    const p = part.trim();
    if (p === "..." || p === ":" || p === "") return p === "..." ? "..." : null;
    const num = (s: string | undefined) => {
      if (s === undefined || s.trim() === "") return null;
      const v = Number(s);
      if (!Number.isInteger(v))
        throw new SyntaxError(`slice: '${p}' is not a valid index or start:stop:step`);
      return v;
    };
    const pieces = p.split(":");
    if (pieces.length === 1) return num(pieces[0])!;
    if (pieces.length > 3) throw new SyntaxError(`slice: '${p}' has too many ':'`);
    return [num(pieces[0]), num(pieces[1]), num(pieces[2])] as const;
  });
}

/**
 * NumPy basic indexing as a view: `slice(x, "1:3, ::-1, 0")` or `slice(x, [[1, 3], [null, null, -1], 0])`.
 * Negative indices count from the end. Unlike NumPy, bounds outside the axis throw instead of clamping.
 */
export function slice(x: NDArray, spec: string | readonly SliceSpec[]): NDArray {
  const specs = typeof spec === "string" ? parseString(spec) : [...spec];
  const ell = specs.indexOf("...");
  if (ell !== specs.lastIndexOf("...")) throw new SyntaxError("slice: only one '...' is allowed");
  const explicit = specs.length - (ell >= 0 ? 1 : 0);
  if (explicit > x.ndim) {
    throw new ShapeError(`slice: ${explicit} indices for an array of shape ${fmtShape(x.shape)}`);
  }
  const full: SliceSpec[] =
    ell >= 0
      ? [
          ...specs.slice(0, ell),
          ...new Array<SliceSpec>(x.ndim - explicit).fill(null),
          ...specs.slice(ell + 1),
        ]
      : [...specs, ...new Array<SliceSpec>(x.ndim - explicit).fill(null)];

  const starts: number[] = [];
  const steps: number[] = [];
  const shape: number[] = [];
  const keep: number[] = [];
  full.forEach((s, axis) => {
    const n = x.shape[axis]!;
    if (typeof s === "number") {
      if (!Number.isInteger(s) || s < -n || s >= n) {
        throw new RangeError(
          `slice: index ${s} is out of range for axis ${axis} of size ${n} (shape ${fmtShape(x.shape)})`,
        );
      }
      starts.push(s < 0 ? s + n : s);
      steps.push(1);
      shape.push(1);
      return;
    }
    let a: number | null | undefined, b: number | null | undefined, c: number | null | undefined;
    if (s === null || s === "...") a = b = c = null;
    else if (Array.isArray(s) && s.length <= 3) [a, b, c] = s as readonly (number | null | undefined)[];
    else if (typeof s === "object" && !Array.isArray(s)) {
      ({
        start: a,
        stop: b,
        step: c,
      } = s as { start?: number | null; stop?: number | null; step?: number | null });
    } else {
      throw new TypeError(
        `slice: ${JSON.stringify(s)} on axis ${axis} is not an index, null, "...", [start, stop, step] or {start, stop, step}`,
      );
    }
    const step = c ?? 1;
    if (!Number.isInteger(step) || step === 0)
      throw new RangeError(`slice: step ${step} on axis ${axis} must be a non-zero integer`);
    const bound = (v: number | null | undefined, name: string, dflt: number) => {
      if (v === null || v === undefined) return dflt;
      if (!Number.isInteger(v) || v < -n || v > n) {
        throw new RangeError(
          `slice: ${name} ${v} is out of range for axis ${axis} of size ${n} (shape ${fmtShape(x.shape)})`,
        );
      }
      return v < 0 ? v + n : v;
    };
    let start = bound(a, "start", step > 0 ? 0 : n - 1);
    const stop = bound(b, "stop", step > 0 ? n : -1);
    if (step < 0 && start === n) start = n - 1;
    const len = Math.max(0, Math.ceil((stop - start) / step));
    starts.push(len === 0 ? 0 : start);
    steps.push(step);
    shape.push(len);
    keep.push(axis);
  });

  const view = stridedSlice(x, starts, steps, shape);
  return keep.length === shape.length
    ? view
    : reshape(
        view,
        keep.map((a) => shape[a]!),
      );
}

/** The slice primitive: `shape[i]` elements from `starts[i]` every `steps[i]` along each axis (a view). */
export function stridedSlice(
  x: NDArray,
  starts: readonly number[],
  steps: readonly number[],
  shape: readonly number[],
): NDArray {
  let offset = x.offset;
  starts.forEach((s, i) => (offset += s * x.strides[i]!));
  const strides = x.strides.map((st, i) => st * steps[i]!);
  const view = new NDArray(x.storage, shape, x.dtype, strides, offset);
  return recordView(viewPrims.slice, x, { starts, steps, shape }, view);
}
