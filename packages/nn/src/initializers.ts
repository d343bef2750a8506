import {
  NDArray,
  Random,
  ShapeError,
  isFloat,
  shapesEqual,
  formatShape,
  type DType,
} from "@chainrule/ndarray";
import { resolveRng } from "./random";

/** What an initialiser is told besides the shape. */
export interface InitContext {
  /** Inputs feeding one output unit (rows of a Dense kernel). */
  fanIn: number;
  /** Outputs fed by one input unit (columns of a Dense kernel). */
  fanOut: number;
  dtype: DType;
  rng: Random;
}

/** Makes a new array of `shape`; built-ins come from `initializers.*()`, any function of this type works. */
export type Initializer = (shape: readonly number[], ctx: InitContext) => NDArray;

export type InitializerName =
  | "zeros"
  | "ones"
  | "randomNormal"
  | "randomUniform"
  | "truncatedNormal"
  | "heNormal"
  | "heUniform"
  | "glorotNormal"
  | "glorotUniform"
  | "lecunNormal"
  | "lecunUniform";

/**
 * fan_in and fan_out of a weight in Keras layout: `[..., in, out]`, where leading axes are a
 * receptive field (convolution kernels) that multiplies both. A vector has fan_in = fan_out = length.
 */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i]!;
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}

function checkFloat(dtype: DType, name: string): void {
  if (!isFloat(dtype))
    throw new TypeError(`initializers.${name}: dtype must be float32 or float64, got ${dtype}`);
}

function filled(shape: readonly number[], dtype: DType, f: () => number): NDArray {
  const out = NDArray.empty([...shape], dtype);
  const b = out.buffer;
  for (let i = 0; i < b.length; i++) b[i] = f();
  return out;
}

function normal(name: string, std: (c: InitContext) => number, mean = 0): Initializer {
  return (shape, c) => {
    checkFloat(c.dtype, name);
    return c.rng.normal(shape, mean, std(c), c.dtype);
  };
}

function uniform(name: string, limit: (c: InitContext) => number): Initializer {
  return (shape, c) => {
    checkFloat(c.dtype, name);
    const l = limit(c);
    return c.rng.uniform(shape, -l, l, c.dtype);
  };
}

function truncated(name: string, std: (c: InitContext) => number, mean = 0): Initializer {
  return (shape, c) => {
    checkFloat(c.dtype, name);
    const s = std(c);
    return filled(shape, c.dtype, () => {
      // Rejection: standard normal samples beyond two standard deviations are drawn again (as in TF/Keras).
      let z = c.rng.gaussian();
      while (z < -2 || z > 2) z = c.rng.gaussian();
      return mean + s * z;
    });
  };
}

/**
 * The built-in initialisers, as factories: `initializers.heNormal()` is an `Initializer`. Every random one
 * draws from the generator in its context, so a seeded layer gets the same weights in every process.
 */
export const initializers = {
  zeros: (): Initializer => (shape, c) => NDArray.empty([...shape], c.dtype),
  ones: (): Initializer => (shape, c) => filled(shape, c.dtype, () => 1),
  constant:
    (value: number): Initializer =>
    (shape, c) =>
      filled(shape, c.dtype, () => value),
  /** N(mean, stddev²); Keras's defaults mean 0, stddev 0.05. */
  randomNormal: ({ mean = 0, stddev = 0.05 }: { mean?: number; stddev?: number } = {}): Initializer =>
    normal("randomNormal", () => stddev, mean),
  /** U[minval, maxval); Keras's defaults ±0.05. */
  randomUniform: ({
    minval = -0.05,
    maxval = 0.05,
  }: { minval?: number; maxval?: number } = {}): Initializer => {
    return (shape, c) => {
      checkFloat(c.dtype, "randomUniform");
      return c.rng.uniform(shape, minval, maxval, c.dtype);
    };
  },
  /** N(mean, stddev²) with samples beyond 2·stddev of the mean redrawn; Keras's defaults mean 0, stddev 0.05. */
  truncatedNormal: ({ mean = 0, stddev = 0.05 }: { mean?: number; stddev?: number } = {}): Initializer =>
    truncated("truncatedNormal", () => stddev, mean),
  /** N(0, 2/fan_in), untruncated: He et al. 2015, PyTorch's kaiming_normal_ (Keras truncates). */
  heNormal: (): Initializer => normal("heNormal", (c) => Math.sqrt(2 / c.fanIn)),
  /** U(±√(6/fan_in)). */
  heUniform: (): Initializer => uniform("heUniform", (c) => Math.sqrt(6 / c.fanIn)),
  /** N(0, 2/(fan_in + fan_out)), untruncated (PyTorch's xavier_normal_). */
  glorotNormal: (): Initializer => normal("glorotNormal", (c) => Math.sqrt(2 / (c.fanIn + c.fanOut))),
  /** U(±√(6/(fan_in + fan_out))): Keras's default kernel initialiser. */
  glorotUniform: (): Initializer => uniform("glorotUniform", (c) => Math.sqrt(6 / (c.fanIn + c.fanOut))),
  /** N(0, 1/fan_in), untruncated. */
  lecunNormal: (): Initializer => normal("lecunNormal", (c) => Math.sqrt(1 / c.fanIn)),
  /** U(±√(3/fan_in)). */
  lecunUniform: (): Initializer => uniform("lecunUniform", (c) => Math.sqrt(3 / c.fanIn)),
};

const NAMES = Object.keys(initializers).filter((k) => k !== "constant");

/** An initialiser from its name (`"heNormal"`) or itself. */
export function getInitializer(init: InitializerName | Initializer): Initializer {
  if (typeof init === "function") return init;
  if (typeof init === "string" && NAMES.includes(init)) {
    return (initializers[init as Exclude<InitializerName, "constant">] as () => Initializer)();
  }
  throw new TypeError(
    `unknown initializer '${String(init)}' (expected a function or one of ${NAMES.join(", ")})`,
  );
}

/**
 * Runs an initialiser with defaults for the context: fans from the shape (Keras layout), float32, and
 * `rng` or `seed`, else a generator forked from the default one.
 */
export function initialize(
  init: InitializerName | Initializer,
  shape: readonly number[],
  ctx: Partial<InitContext> & { seed?: number } = {},
): NDArray {
  const fans = computeFans(shape);
  const full: InitContext = {
    fanIn: ctx.fanIn ?? fans.fanIn,
    fanOut: ctx.fanOut ?? fans.fanOut,
    dtype: ctx.dtype ?? "float32",
    rng: resolveRng(ctx),
  };
  const out = getInitializer(init)(shape, full);
  if (!(out instanceof NDArray) || !shapesEqual(out.shape, shape)) {
    throw new ShapeError(
      `initializer returned ${out instanceof NDArray ? `shape ${formatShape(out.shape)}` : typeof out}, expected an array of shape ${formatShape(shape)}`,
    );
  }
  return out;
}
