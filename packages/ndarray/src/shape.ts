import { ShapeError, fmtShape } from "./errors";

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

const NO_STRIDES: number[] = Object.freeze([]) as unknown as number[];

export function contiguousStrides(shape: Shape): number[] {
  if (shape.length === 0) return NO_STRIDES; // 0-D arrays share one (frozen) empty strides list
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of any number of shapes; throws naming the op and all shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const pad = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[pad + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[pad + i] = d;
      else
        throw new ShapeError(
          `${op}: shapes ${shapes.map(fmtShape).join(" and ")} cannot be broadcast together`,
        );
    }
  }
  return out;
}

/** Resolves a possibly negative axis against a rank, with an error naming the op. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new RangeError(`${op}: axis ${axis} is out of range for an array of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises an axis argument (undefined = all axes) to sorted unique non-negative axes. */
export function normalizeAxes(
  axis: number | readonly number[] | undefined,
  rank: number,
  op: string,
): number[] {
  if (axis === undefined) {
    const all = new Array<number>(rank);
    for (let i = 0; i < rank; i++) all[i] = i;
    return all;
  }
  if (typeof axis === "number") return [normalizeAxis(axis, rank, op)];
  const out: number[] = [];
  for (let i = 0; i < axis.length; i++) {
    const a = normalizeAxis(axis[i]!, rank, op);
    // Insertion into the sorted list; ranks are small.
    let j = out.length;
    while (j > 0 && out[j - 1]! > a) j--;
    if (j > 0 && out[j - 1] === a) throw new RangeError(`${op}: repeated axis in [${axis.join(", ")}]`);
    out.splice(j, 0, a);
  }
  return out;
}

/** Shape entries from untyped code must be numbers: "2" is rejected by type, never coerced. */
export function assertShapeEntryTypes(shape: readonly unknown[], op: string): void {
  if (!Array.isArray(shape))
    throw new TypeError(`${op}: a shape must be an array of integers, got ${typeof shape}`);
  const i = shape.findIndex((d) => typeof d !== "number");
  if (i >= 0) {
    throw new TypeError(
      `${op}: shape entries must be integers, got ${fmtShape(shape as number[])} (entry ${i} is a ${typeof shape[i]})`,
    );
  }
}

export function assertShape(shape: readonly number[], op: string): void {
  assertShapeEntryTypes(shape, op);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${fmtShape(shape)}`);
  }
}
