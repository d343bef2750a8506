import type { Label, Numbers, PointsInput } from "./types.js";

/** Errors name the public function so a failing demo says which call was wrong. */
export function fail(fn: string, message: string): never {
  throw new Error(`plot.${fn}: ${message}`);
}

export function toNumbers(fn: string, what: string, values: Numbers | undefined): number[] {
  if (values == null || typeof values.length !== "number") fail(fn, `${what} must be an array of numbers`);
  return Array.from(values, Number);
}

export function checkSameLength(fn: string, a: string, aLen: number, b: string, bLen: number): void {
  if (aLen !== bLen) fail(fn, `${a} has length ${aLen} but ${b} has length ${bLen}; they must match`);
}

export interface Point {
  x: number;
  y: number;
  label?: string;
}

/** Accepts `{x, y, label}[]` or `{x: [], y: [], labels?: []}` and returns row objects. */
export function normalizePoints(fn: string, input: PointsInput | undefined): Point[] {
  if (input == null) fail(fn, "points are required");
  const label = (l: Label | undefined) => (l === undefined ? undefined : String(l));
  if (isPointArray(input)) {
    return input.map((p, i) => {
      if (p == null || typeof p.x !== "number" || typeof p.y !== "number") {
        fail(fn, `points[${i}] must be an object with numeric x and y`);
      }
      return { x: p.x, y: p.y, label: label(p.label) };
    });
  }
  const xs = toNumbers(fn, "points.x", input.x);
  const ys = toNumbers(fn, "points.y", input.y);
  checkSameLength(fn, "points.x", xs.length, "points.y", ys.length);
  const labels = input.labels;
  if (labels) checkSameLength(fn, "points.x", xs.length, "points.labels", labels.length);
  return xs.map((x, i) => ({ x, y: ys[i]!, label: labels ? label(labels[i]) : undefined }));
}

function isPointArray(input: PointsInput): input is ReadonlyArray<{ x: number; y: number; label?: Label }> {
  return Array.isArray(input);
}

/**
 * The class order: `classes` when given (every label must be in it), else the distinct labels sorted,
 * numeric labels in numeric order ("2" before "10"), others alphabetically.
 */
export function distinctLabels(fn: string, points: readonly Point[], classes?: readonly Label[]): string[] {
  const set = new Set<string>();
  for (const p of points) if (p.label !== undefined) set.add(p.label);
  if (classes) {
    const order = classes.map(String);
    const missing = [...set].filter((l) => !order.includes(l));
    if (missing.length > 0) fail(fn, `labels ${missing.join(", ")} are not in classes [${order.join(", ")}]`);
    return order;
  }
  return [...set].sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
  });
}

export function checkSize(fn: string, what: string, n: number | undefined, fallback: number): number {
  if (n === undefined) return fallback;
  if (!Number.isFinite(n) || n <= 0) fail(fn, `${what} must be a positive number, got ${n}`);
  return n;
}
