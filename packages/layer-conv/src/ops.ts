import * as np from "@chainrule/ndarray";
import { ShapeError, formatShape, type NDArray } from "@chainrule/ndarray";
import { pair, windowGeometry, type Padding, type Pair, type WindowGeometry } from "./geometry";
import { im2col, maxPoolGather } from "./primitives";

export interface Conv2dOptions {
  /** Step between windows (default 1). */
  strides?: Pair;
  /** `"valid"` (default) or `"same"` (TensorFlow's: output `ceil(in / stride)`, extra padding bottom/right). */
  padding?: Padding;
  /** Spacing between kernel taps (default 1). */
  dilationRate?: Pair;
  /** `[filters]`, added to every output position. */
  bias?: NDArray;
}

export interface Pool2dOptions {
  /** Window size (default 2). */
  poolSize?: Pair;
  /** Step between windows (default: the pool size). */
  strides?: Pair;
  /** `"valid"` (default) or `"same"`; padded positions never count (not in the max, not in the average). */
  padding?: Padding;
}

/** Internal: `conv2d` with the name to put in errors (a layer passes its own). */
export function conv2dNamed(x: NDArray, kernel: NDArray, options: Conv2dOptions, who: string): NDArray {
  if (kernel.ndim !== 4) {
    throw new ShapeError(
      `${who}: expected a kernel [kh, kw, inChannels, filters], got shape ${formatShape(kernel.shape)}`,
    );
  }
  const [kh, kw, cin, filters] = kernel.shape as [number, number, number, number];
  if (x.ndim === 4 && x.shape[3] !== cin) {
    throw new ShapeError(
      `${who}: input shape ${formatShape(x.shape)} has ${x.shape[3]} channels (last axis, NHWC) but the kernel ${formatShape(kernel.shape)} expects ${cin}`,
    );
  }
  const { bias } = options;
  if (bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== filters)) {
    throw new ShapeError(`${who}: expected a bias of shape [${filters}], got ${formatShape(bias.shape)}`);
  }
  const g = windowGeometry(x.shape, { ...options, kernelSize: [kh, kw] }, who);
  const n = x.shape[0]!;
  const k = kh * kw * cin;
  // A 1×1 convolution with stride 1 is a matmul on the input itself; otherwise extract the windows first.
  const pointwise = kh === 1 && kw === 1 && g.strideH === 1 && g.strideW === 1;
  const cols = pointwise ? x : im2col([x], g);
  let y = np.matmul(np.reshape(cols, [n * g.outH * g.outW, k]), np.reshape(kernel, [k, filters]));
  y = np.reshape(y, [n, g.outH, g.outW, filters]);
  return bias === undefined ? y : np.add(y, bias);
}

/**
 * 2-D convolution (cross-correlation, as in every deep-learning library) of an NHWC input `[N, H, W, C]`
 * with a kernel `[kh, kw, C, filters]` (TensorFlow's layout): `[N, outH, outW, filters]`. Computed as
 * `im2col` followed by one matmul, so the backend's matmul does the heavy part and every gradient follows.
 */
export function conv2d(x: NDArray, kernel: NDArray, options: Conv2dOptions = {}): NDArray {
  return conv2dNamed(x, kernel, options, "conv2d");
}

function poolGeometry(x: NDArray, options: Pool2dOptions, who: string): WindowGeometry {
  const poolSize = pair(options.poolSize ?? 2, "pool size", who);
  return windowGeometry(
    x.shape,
    { kernelSize: poolSize, strides: options.strides ?? poolSize, padding: options.padding },
    who,
  );
}

const asFloat = (x: NDArray): NDArray => (np.isFloat(x.dtype) ? x : np.cast(x, "float32"));

/** Internal: `maxPool2d` naming `who` in errors. */
export function maxPool2dNamed(x: NDArray, options: Pool2dOptions, who: string): NDArray {
  const g = poolGeometry(x, options, who);
  const xf = asFloat(x);
  return maxPoolGather([xf, xf], g);
}

/**
 * Max pooling over `poolSize` windows of an NHWC input: `[N, H, W, C]` → `[N, outH, outW, C]`. The gradient
 * goes to each window's maximum (the first one on ties, as TensorFlow and PyTorch).
 */
export function maxPool2d(x: NDArray, options: Pool2dOptions = {}): NDArray {
  return maxPool2dNamed(x, options, "maxPool2d");
}

/** Internal: `avgPool2d` naming `who` in errors. */
export function avgPool2dNamed(x: NDArray, options: Pool2dOptions, who: string): NDArray {
  const g = poolGeometry(x, options, who);
  const xf = asFloat(x);
  const n = x.shape[0]!;
  const C = g.channels;
  const k = g.kh * g.kw;
  const noPad = g.padTop === 0 && g.padLeft === 0 && g.padBottom === 0 && g.padRight === 0;
  if (noPad && g.strideH === g.kh && g.strideW === g.kw) {
    // Windows tile the input: a reshaped view and a mean, with no copies.
    const h = g.outH * g.kh;
    const w = g.outW * g.kw;
    const tiled = h === g.inH && w === g.inW ? xf : np.slice(xf, `:, :${h}, :${w}`);
    return np.mean(np.reshape(tiled, [n, g.outH, g.kh, g.outW, g.kw, C]), [2, 4]);
  }
  const sums = np.sum(np.reshape(im2col([xf], g), [n, g.outH, g.outW, k, C]), 3);
  if (noPad) return np.div(sums, k);
  // Padding does not count: divide by the number of real input positions under each window.
  const rows = counts(g.outH, g.strideH, g.padTop, g.kh, g.inH);
  const cols = counts(g.outW, g.strideW, g.padLeft, g.kw, g.inW);
  const count = new Float64Array(g.outH * g.outW);
  for (let i = 0; i < g.outH; i++)
    for (let j = 0; j < g.outW; j++) count[i * g.outW + j] = rows[i]! * cols[j]!;
  return np.div(sums, np.array(count, { dtype: xf.dtype, shape: [g.outH, g.outW, 1] }));
}

function counts(out: number, stride: number, pad: number, k: number, size: number): number[] {
  return Array.from({ length: out }, (_, o) => {
    const start = o * stride - pad;
    return Math.min(start + k, size) - Math.max(start, 0);
  });
}

/**
 * Average pooling over `poolSize` windows of an NHWC input: `[N, H, W, C]` → `[N, outH, outW, C]`. With
 * `padding: "same"` a window is averaged over its real input positions only (as TensorFlow and Keras).
 */
export function avgPool2d(x: NDArray, options: Pool2dOptions = {}): NDArray {
  return avgPool2dNamed(x, options, "avgPool2d");
}

/** Internal: `globalAvgPool2d` naming `who` in errors. */
export function globalAvgPool2dNamed(x: NDArray, keepdims: boolean, who: string): NDArray {
  if (x.ndim !== 4)
    throw new ShapeError(
      `${who}: expected an NHWC input [N, H, W, C] (4-D), got shape ${formatShape(x.shape)}`,
    );
  return np.mean(asFloat(x), [1, 2], keepdims);
}

/** The mean over the spatial axes of an NHWC input: `[N, H, W, C]` → `[N, C]` (`[N, 1, 1, C]` with keepdims). */
export function globalAvgPool2d(x: NDArray, keepdims = false): NDArray {
  return globalAvgPool2dNamed(x, keepdims, "globalAvgPool2d");
}
