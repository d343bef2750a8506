import { ShapeError, formatShape } from "@chainrule/ndarray";

/** `"valid"`: no padding, windows stay inside the input. `"same"`: TensorFlow's: `out = ceil(in / stride)`. */
export type Padding = "valid" | "same";

/** One number for both spatial axes, or `[height, width]`. */
export type Pair = number | readonly [number, number];

/**
 * Where the windows of a 2-D sliding-window op fall on an NHWC input `[N, inH, inW, channels]`: window
 * `(oy, ox)` reads rows `oy·strideH − padTop + ky·dilationH` for `ky < kh` (columns likewise); rows and
 * columns outside the input are padding. The parameters of the `im2col`, `col2im` and max-pool primitives.
 */
export interface Window2D {
  readonly inH: number;
  readonly inW: number;
  readonly channels: number;
  readonly kh: number;
  readonly kw: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly outH: number;
  readonly outW: number;
}

/** A window plus the padding after the input (bottom, right), which only the output size depends on. */
export interface WindowGeometry extends Window2D {
  readonly padBottom: number;
  readonly padRight: number;
}

/** `3` → `[3, 3]`; checks for positive integers. */
export function pair(value: Pair, what: string, who: string): [number, number] {
  const p: [number, number] = typeof value === "number" ? [value, value] : [value[0], value[1]];
  if (
    (typeof value !== "number" && (!Array.isArray(value) || value.length !== 2)) ||
    !p.every((v) => Number.isInteger(v) && v > 0)
  ) {
    throw new RangeError(
      `${who}: ${what} must be a positive integer or a pair of them, got ${String(value)}`,
    );
  }
  return p;
}

/**
 * Output size and padding along one axis, with TensorFlow's rules. The dilated window spans
 * `(k − 1)·dilation + 1` elements. `"valid"`: `out = floor((in − span) / stride) + 1`, no padding.
 * `"same"`: `out = ceil(in / stride)`, total padding `max((out − 1)·stride + span − in, 0)`, of which the
 * smaller half goes before (top/left) and the extra element after (bottom/right).
 */
export function axisGeometry(
  size: number,
  k: number,
  stride: number,
  dilation: number,
  padding: Padding,
): { out: number; before: number; after: number } {
  const span = (k - 1) * dilation + 1;
  if (padding === "valid")
    return { out: size >= span ? Math.floor((size - span) / stride) + 1 : 0, before: 0, after: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

export interface WindowOptions {
  kernelSize: Pair;
  strides?: Pair;
  padding?: Padding;
  dilationRate?: Pair;
}

/**
 * The windows of a sliding-window op over an NHWC input of shape `inputShape` (`[N, H, W, C]`). Throws a
 * ShapeError naming `who` and the shapes when the input is not 4-D or a window does not fit.
 */
export function windowGeometry(
  inputShape: readonly number[],
  options: WindowOptions,
  who: string,
): WindowGeometry {
  if (inputShape.length !== 4) {
    throw new ShapeError(
      `${who}: expected an NHWC input [N, H, W, C] (4-D), got shape ${formatShape(inputShape)}`,
    );
  }
  const [kh, kw] = pair(options.kernelSize, "kernel size", who);
  const [strideH, strideW] = pair(options.strides ?? 1, "strides", who);
  const [dilationH, dilationW] = pair(options.dilationRate ?? 1, "dilation rate", who);
  const padding = options.padding ?? "valid";
  if (padding !== "valid" && padding !== "same") {
    throw new RangeError(`${who}: padding must be "valid" or "same", got ${String(padding)}`);
  }
  const [, inH, inW, channels] = inputShape as [number, number, number, number];
  const h = axisGeometry(inH, kh, strideH, dilationH, padding);
  const w = axisGeometry(inW, kw, strideW, dilationW, padding);
  if (h.out === 0 || w.out === 0) {
    const spanH = (kh - 1) * dilationH + 1;
    const spanW = (kw - 1) * dilationW + 1;
    const dilated = spanH !== kh || spanW !== kw ? ` (dilated to ${spanH}×${spanW})` : "";
    throw new ShapeError(
      `${who}: input shape ${formatShape(inputShape)} is smaller than the ${kh}×${kw} window${dilated} with padding "${padding}"`,
    );
  }
  return {
    inH,
    inW,
    channels,
    kh,
    kw,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padTop: h.before,
    padBottom: h.after,
    padLeft: w.before,
    padRight: w.after,
    outH: h.out,
    outW: w.out,
  };
}
