import type { Grid, Numbers } from "./types.js";
import { fail, toNumbers } from "./validate.js";

export interface CheckedGrid {
  xs: number[];
  ys: number[];
  values: number[];
}

export function checkGrid(fn: string, grid: Grid | undefined): CheckedGrid {
  if (grid == null) fail(fn, "grid is required");
  const xs = toNumbers(fn, "grid.xs", grid.xs);
  const ys = toNumbers(fn, "grid.ys", grid.ys);
  const values = toNumbers(fn, "grid.values", grid.values);
  for (const [name, c] of [
    ["grid.xs", xs],
    ["grid.ys", ys],
  ] as const) {
    if (c.length < 2) fail(fn, `${name} needs at least 2 coordinates, got ${c.length}`);
    for (let i = 1; i < c.length; i++) {
      if (!(c[i]! > c[i - 1]!))
        fail(fn, `${name} must be strictly increasing (index ${i}: ${c[i - 1]} then ${c[i]})`);
    }
  }
  if (values.length !== xs.length * ys.length) {
    fail(
      fn,
      `grid.values has length ${values.length} but ys.length x xs.length = ${ys.length} x ${xs.length} = ${xs.length * ys.length}`,
    );
  }
  return { xs, ys, values };
}

/** Cell borders halfway between samples, so each sample sits in the middle of its cell. */
function edges(c: readonly number[]): number[] {
  const n = c.length;
  const out = [c[0]! - (c[1]! - c[0]!) / 2];
  for (let i = 1; i < n; i++) out.push((c[i - 1]! + c[i]!) / 2);
  out.push(c[n - 1]! + (c[n - 1]! - c[n - 2]!) / 2);
  return out;
}

export interface Cell {
  x: number;
  x2: number;
  y: number;
  y2: number;
  v: number;
}

/**
 * One rectangle per finite sample, plus the outer extent of the grid. Inner cells reach about one
 * pixel into their right/upper neighbour (`width`/`height` are the plot size in pixels): anti-aliased
 * edges of exactly adjacent rectangles would otherwise let the background show through as thin seams.
 */
export function gridCells(
  g: CheckedGrid,
  width: number,
  height: number,
): { cells: Cell[]; xDomain: [number, number]; yDomain: [number, number] } {
  const ex = edges(g.xs);
  const ey = edges(g.ys);
  const nx = g.xs.length;
  const ny = g.ys.length;
  const xDomain: [number, number] = [ex[0]!, ex[nx]!];
  const yDomain: [number, number] = [ey[0]!, ey[ny]!];
  const padX = (xDomain[1] - xDomain[0]) / width;
  const padY = (yDomain[1] - yDomain[0]) / height;
  const cells: Cell[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const v = g.values[j * nx + i]!;
      if (!Number.isFinite(v)) continue;
      const x2 = ex[i + 1]! + (i + 1 < nx ? padX : 0);
      const y2 = ey[j + 1]! + (j + 1 < ny ? padY : 0);
      cells.push({ x: ex[i]!, x2, y: ey[j]!, y2, v });
    }
  }
  return { cells, xDomain, yDomain };
}

export interface Segment {
  x: number;
  y: number;
  x2: number;
  y2: number;
  level: number;
}

// Marching squares. Corners a=(i,j) b=(i+1,j) c=(i+1,j+1) d=(i,j+1); edges 0=ab 1=bc 2=dc 3=ad.
// Index = a|b<<1|c<<2|d<<3 for corners >= level; saddles (5, 10) are decided by the cell centre.
const SEGMENTS: number[][][] = [
  [],
  [[3, 0]],
  [[0, 1]],
  [[3, 1]],
  [[1, 2]],
  [],
  [[0, 2]],
  [[3, 2]],
  [[2, 3]],
  [[0, 2]],
  [],
  [[1, 2]],
  [[1, 3]],
  [[0, 1]],
  [[3, 0]],
  [],
];

/** Line segments of the iso-lines f = level for each level. */
export function contourSegments(g: CheckedGrid, levels: readonly number[]): Segment[] {
  const { xs, ys, values } = g;
  const nx = xs.length;
  const out: Segment[] = [];
  for (const level of levels) {
    for (let j = 0; j + 1 < ys.length; j++) {
      for (let i = 0; i + 1 < nx; i++) {
        const a = values[j * nx + i]!;
        const b = values[j * nx + i + 1]!;
        const c = values[(j + 1) * nx + i + 1]!;
        const d = values[(j + 1) * nx + i]!;
        if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && Number.isFinite(d))) continue;
        const idx = (a >= level ? 1 : 0) | (b >= level ? 2 : 0) | (c >= level ? 4 : 0) | (d >= level ? 8 : 0);
        let pairs = SEGMENTS[idx]!;
        if (idx === 5 || idx === 10) {
          const centreHigh = (a + b + c + d) / 4 >= level;
          // High centre joins the two high corners, so the low corners are cut off (and vice versa).
          pairs =
            (idx === 5) === centreHigh
              ? [
                  [0, 1],
                  [2, 3],
                ]
              : [
                  [3, 0],
                  [1, 2],
                ];
        }
        const t = (p: number, q: number) => (level - p) / (q - p);
        const point = (edge: number): [number, number] => {
          if (edge === 0) return [xs[i]! + t(a, b) * (xs[i + 1]! - xs[i]!), ys[j]!];
          if (edge === 1) return [xs[i + 1]!, ys[j]! + t(b, c) * (ys[j + 1]! - ys[j]!)];
          if (edge === 2) return [xs[i]! + t(d, c) * (xs[i + 1]! - xs[i]!), ys[j + 1]!];
          return [xs[i]!, ys[j]! + t(a, d) * (ys[j + 1]! - ys[j]!)];
        };
        for (const [e1, e2] of pairs) {
          const [x, y] = point(e1!);
          const [x2, y2] = point(e2!);
          out.push({ x, y, x2, y2, level });
        }
      }
    }
  }
  return out;
}

export interface SampleGridOptions {
  x: readonly [number, number];
  y: readonly [number, number];
  /** Samples per axis (default 100); `nx`/`ny` override it per axis. */
  n?: number;
  nx?: number;
  ny?: number;
}

/** Evaluates f on an evenly spaced grid, in the row-major layout the heatmaps expect. */
export function sampleGrid(f: (x: number, y: number) => number, options: SampleGridOptions): Grid {
  const nx = options.nx ?? options.n ?? 100;
  const ny = options.ny ?? options.n ?? 100;
  if (!(Number.isInteger(nx) && nx >= 2 && Number.isInteger(ny) && ny >= 2)) {
    fail("sampleGrid", `needs at least 2 integer samples per axis, got nx=${nx} ny=${ny}`);
  }
  const lin = ([lo, hi]: readonly [number, number], n: number) =>
    Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  const xs = lin(options.x, nx);
  const ys = lin(options.y, ny);
  const values = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) values[j * nx + i] = f(xs[i]!, ys[j]!);
  return { xs, ys, values };
}

export function extent(values: Numbers): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}
