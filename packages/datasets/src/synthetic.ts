import { allocate, type DType, isFloat, NDArray, Random } from "@chainrule/ndarray";

/** Points `x` [n, features] and integer class labels `y` [n] (int32). */
export interface LabeledPoints {
  x: NDArray;
  y: NDArray;
}

interface CommonOptions {
  /** Number of points. Default 100. */
  nSamples?: number;
  /** Standard deviation of the Gaussian noise added to every coordinate. Default 0. */
  noise?: number;
  /** Seed for shuffling and noise. Without one, every call differs. */
  seed?: number | string;
  /** Shuffle the points (otherwise class 0 comes first). Default true. */
  shuffle?: boolean;
  /** dtype of `x`: float32 (default) or float64. */
  dtype?: DType;
}

export type MakeMoonsOptions = CommonOptions;

export interface MakeCirclesOptions extends CommonOptions {
  /** Radius of the inner circle relative to the outer one, in (0, 1). Default 0.8. */
  factor?: number;
}

export interface MakeBlobsOptions extends Omit<CommonOptions, "noise"> {
  /** How many clusters (centres drawn uniformly in `centerBox`), or the centres themselves. Default 3. */
  centers?: number | readonly (readonly number[])[];
  /** Dimensions of each point when `centers` is a count. Default 2. */
  nFeatures?: number;
  /** Standard deviation of each cluster: one for all, or one per cluster. Default 1. */
  clusterStd?: number | readonly number[];
  /** Range of the random centres. Default [-10, 10]. */
  centerBox?: readonly [number, number];
}

function checkCommon(op: string, o: CommonOptions): { n: number; noise: number; dtype: DType; rng: Random } {
  const n = o.nSamples ?? 100;
  const noise = o.noise ?? 0;
  const dtype = o.dtype ?? "float32";
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`${op}: nSamples must be a non-negative integer, got ${n}`);
  if (!(noise >= 0)) throw new RangeError(`${op}: noise must be >= 0, got ${noise}`);
  if (!isFloat(dtype)) throw new TypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  return { n, noise, dtype, rng: new Random(o.seed ?? Math.floor(Math.random() * 2 ** 32)) };
}

/** Shuffles rows (if asked), then adds noise: the order scikit-learn uses, so noise is per final row. */
function finish(
  coords: Float64Array,
  labels: Int32Array,
  dims: number,
  o: CommonOptions,
  noise: number,
  dtype: DType,
  rng: Random,
): LabeledPoints {
  const n = labels.length;
  const x = allocate(dtype, n * dims);
  const y = new Int32Array(n);
  const order = (o.shuffle ?? true) ? rng.permutation(n) : null;
  for (let row = 0; row < n; row++) {
    const from = order ? order[row]! : row;
    y[row] = labels[from]!;
    for (let d = 0; d < dims; d++) x[row * dims + d] = coords[from * dims + d]!;
  }
  if (noise > 0) for (let i = 0; i < x.length; i++) x[i] = x[i]! + noise * rng.gaussian();
  return { x: new NDArray(x, [n, dims], dtype), y: new NDArray(y, [n], "int32") };
}

/** `count` evenly spaced values from `start` to `stop`; `endpoint` says whether `stop` is one of them. */
function linspace(start: number, stop: number, count: number, endpoint: boolean): number[] {
  const steps = endpoint ? count - 1 : count;
  return Array.from({ length: count }, (_, i) => (steps > 0 ? start + ((stop - start) * i) / steps : start));
}

/**
 * Two interleaving half circles (scikit-learn's make_moons geometry): class 0 is the upper half of
 * the unit circle, class 1 the lower half of a unit circle centred at (1, 0.5).
 */
export function makeMoons(options: MakeMoonsOptions = {}): LabeledPoints {
  const { n, noise, dtype, rng } = checkCommon("makeMoons", options);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const coords = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  linspace(0, Math.PI, nOut, true).forEach((t, i) => {
    coords[2 * i] = Math.cos(t);
    coords[2 * i + 1] = Math.sin(t);
  });
  linspace(0, Math.PI, nIn, true).forEach((t, i) => {
    const row = nOut + i;
    coords[2 * row] = 1 - Math.cos(t);
    coords[2 * row + 1] = 1 - Math.sin(t) - 0.5;
    labels[row] = 1;
  });
  return finish(coords, labels, 2, options, noise, dtype, rng);
}

/** A small circle (class 1, radius `factor`) inside a unit circle (class 0), as scikit-learn's make_circles. */
export function makeCircles(options: MakeCirclesOptions = {}): LabeledPoints {
  const { n, noise, dtype, rng } = checkCommon("makeCircles", options);
  const factor = options.factor ?? 0.8;
  if (!(factor > 0 && factor < 1))
    throw new RangeError(`makeCircles: factor must be in (0, 1), got ${factor}`);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const coords = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  linspace(0, 2 * Math.PI, nOut, false).forEach((t, i) => {
    coords[2 * i] = Math.cos(t);
    coords[2 * i + 1] = Math.sin(t);
  });
  linspace(0, 2 * Math.PI, nIn, false).forEach((t, i) => {
    const row = nOut + i;
    coords[2 * row] = factor * Math.cos(t);
    coords[2 * row + 1] = factor * Math.sin(t);
    labels[row] = 1;
  });
  return finish(coords, labels, 2, options, noise, dtype, rng);
}

/** Gaussian clusters, one class per cluster; samples are split evenly, the first clusters getting any extra. */
export function makeBlobs(options: MakeBlobsOptions = {}): LabeledPoints & { centers: NDArray } {
  const { n, dtype, rng } = checkCommon("makeBlobs", options);
  const spec = options.centers ?? 3;
  const [lo, hi] = options.centerBox ?? [-10, 10];
  let centers: number[][];
  if (typeof spec === "number") {
    const dims = options.nFeatures ?? 2;
    if (!Number.isInteger(spec) || spec < 1)
      throw new RangeError(`makeBlobs: centers must be >= 1, got ${spec}`);
    if (!Number.isInteger(dims) || dims < 1)
      throw new RangeError(`makeBlobs: nFeatures must be >= 1, got ${dims}`);
    centers = Array.from({ length: spec }, () =>
      Array.from({ length: dims }, () => lo + (hi - lo) * rng.random()),
    );
  } else {
    centers = spec.map((c) => [...c]);
    if (centers.length === 0 || centers.some((c) => c.length !== centers[0]!.length || c.length === 0)) {
      throw new RangeError("makeBlobs: centers must be a non-empty list of equally long, non-empty points");
    }
  }
  const k = centers.length;
  const dims = centers[0]!.length;
  const stds =
    typeof options.clusterStd === "object"
      ? [...options.clusterStd]
      : new Array<number>(k).fill(options.clusterStd ?? 1);
  if (stds.length !== k || stds.some((s) => !(s >= 0))) {
    throw new RangeError(`makeBlobs: clusterStd needs ${k} non-negative values, got [${stds.join(", ")}]`);
  }
  const coords = new Float64Array(n * dims);
  const labels = new Int32Array(n);
  let row = 0;
  for (let c = 0; c < k; c++) {
    const count = Math.floor(n / k) + (c < n % k ? 1 : 0);
    for (let i = 0; i < count; i++, row++) {
      labels[row] = c;
      for (let d = 0; d < dims; d++) coords[row * dims + d] = centers[c]![d]! + stds[c]! * rng.gaussian();
    }
  }
  const centerData = allocate(dtype, k * dims);
  centers.forEach((c, i) => centerData.set(c, i * dims));
  return {
    ...finish(coords, labels, dims, options, 0, dtype, rng),
    centers: new NDArray(centerData, [k, dims], dtype),
  };
}
