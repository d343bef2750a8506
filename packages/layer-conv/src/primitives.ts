import {
  definePrimitive,
  isFloat,
  ShapeError,
  formatShape,
  type DefinedPrimitive,
  type NDArray,
  type TypedArray,
} from "@chainrule/ndarray";
import { type Window2D } from "./geometry";

// The primitives this package adds to the core, through its public `definePrimitive`: each is an object the
// tape keys on (no registry), with a plain-JS kernel over contiguous NHWC data and a gradient rule written
// with ops. Linear pairs are each other's adjoint, so gradients of every order follow.

/** What `definePrimitive` returns for a primitive with `Window2D` parameters: call it as `op([x], window)`. */
export type WindowPrimitive = ((inputs: readonly NDArray[], params: Window2D) => NDArray) & {
  primitive: DefinedPrimitive<Window2D>;
};

function checkWindow(p: Window2D, who: string): void {
  const sizes = ["inH", "inW", "channels"] as const; // may be 0 (an empty input)
  const steps = ["kh", "kw", "strideH", "strideW", "dilationH", "dilationW", "outH", "outW"] as const;
  for (const k of [...sizes, ...steps]) {
    const min = (sizes as readonly string[]).includes(k) ? 0 : 1;
    if (!Number.isInteger(p[k]) || p[k] < min) {
      throw new RangeError(`${who}: window parameter ${k} must be an integer ≥ ${min}, got ${p[k]}`);
    }
  }
  if (!Number.isInteger(p.padTop) || !Number.isInteger(p.padLeft) || p.padTop < 0 || p.padLeft < 0) {
    throw new RangeError(
      `${who}: padTop and padLeft must be non-negative integers, got ${p.padTop}, ${p.padLeft}`,
    );
  }
}

function checkInput(x: NDArray | undefined, p: Window2D, who: string, what = "input"): NDArray {
  const want = [p.inH, p.inW, p.channels];
  if (!x || x.ndim !== 4 || x.shape[1] !== p.inH || x.shape[2] !== p.inW || x.shape[3] !== p.channels) {
    throw new ShapeError(
      `${who}: expected an NHWC ${what} of shape [N, ${want.join(", ")}], got ${x ? formatShape(x.shape) : "nothing"}`,
    );
  }
  return x;
}

/**
 * Extracts the windows of an NHWC input: `[N, H, W, C]` → `[N, outH, outW, kh·kw·C]`, each row ordered
 * `(ky, kx, c)` like a `[kh, kw, C, filters]` kernel reshaped to `[kh·kw·C, filters]`. Padding reads as 0.
 * Its gradient is `col2im`.
 */
export const im2col: WindowPrimitive = definePrimitive<Window2D>({
  name: "im2col",
  output: (inputs, p) => {
    checkWindow(p, "im2col");
    const x = checkInput(inputs[0], p, "im2col");
    return { shape: [x.shape[0]!, p.outH, p.outW, p.kh * p.kw * p.channels], dtype: x.dtype };
  },
  kernel: ([x], p, out) => im2colKernel(x!.dataSync(), x!.shape[0]!, p, out.buffer),
  vjp: (g, _inputs, _y, p) => [col2im([g], p)],
});

/**
 * The adjoint of `im2col`: `[N, outH, outW, kh·kw·C]` → `[N, H, W, C]`, adding each window entry back onto
 * the input position it was read from (entries that read padding are dropped). Its gradient is `im2col`.
 */
export const col2im: WindowPrimitive = definePrimitive<Window2D>({
  name: "col2im",
  output: (inputs, p) => {
    checkWindow(p, "col2im");
    const c = inputs[0];
    const cols = p.kh * p.kw * p.channels;
    if (!c || c.ndim !== 4 || c.shape[1] !== p.outH || c.shape[2] !== p.outW || c.shape[3] !== cols) {
      throw new ShapeError(
        `col2im: expected columns of shape [N, ${p.outH}, ${p.outW}, ${cols}], got ${c ? formatShape(c.shape) : "nothing"}`,
      );
    }
    return { shape: [c.shape[0]!, p.inH, p.inW, p.channels], dtype: c.dtype };
  },
  kernel: ([c], p, out) => col2imKernel(c!.dataSync(), c!.shape[0]!, p, out.buffer),
  vjp: (g, _inputs, _y, p) => [im2col([g], p)],
});

function im2colKernel(src: TypedArray, n: number, p: Window2D, dst: TypedArray): void {
  const { inH, inW, channels: C, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const rowStride = inW * C;
  let d = 0;
  for (let b = 0; b < n; b++) {
    const base = b * inH * rowStride;
    for (let oy = 0; oy < p.outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < p.outW; ox++) {
        const x0 = ox * strideW - padLeft;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky * dilationH;
          if (iy < 0 || iy >= inH) {
            d += kw * C; // padding: `dst` is zero-filled
            continue;
          }
          const row = base + iy * rowStride;
          for (let kx = 0; kx < kw; kx++) {
            const ix = x0 + kx * dilationW;
            if (ix < 0 || ix >= inW) {
              d += C;
              continue;
            }
            for (let c = 0, s = row + ix * C; c < C; c++) dst[d++] = src[s + c]!;
          }
        }
      }
    }
  }
}

function col2imKernel(src: TypedArray, n: number, p: Window2D, dst: TypedArray): void {
  const { inH, inW, channels: C, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const rowStride = inW * C;
  let d = 0;
  for (let b = 0; b < n; b++) {
    const base = b * inH * rowStride;
    for (let oy = 0; oy < p.outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < p.outW; ox++) {
        const x0 = ox * strideW - padLeft;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky * dilationH;
          if (iy < 0 || iy >= inH) {
            d += kw * C;
            continue;
          }
          const row = base + iy * rowStride;
          for (let kx = 0; kx < kw; kx++) {
            const ix = x0 + kx * dilationW;
            if (ix < 0 || ix >= inW) {
              d += C;
              continue;
            }
            for (let c = 0, s = row + ix * C; c < C; c++) dst[s + c]! += src[d++]!;
          }
        }
      }
    }
  }
}

/**
 * For each window and channel, the flat index into the NHWC input of its maximum: the first one in window
 * order (row by row) on ties, as TensorFlow and PyTorch route max-pool gradients; a NaN counts as the maximum.
 * Padding never wins (it is not read).
 */
function windowArgmax(sel: TypedArray, n: number, p: Window2D): Int32Array {
  const { inH, inW, channels: C, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const rowStride = inW * C;
  const out = new Int32Array(n * p.outH * p.outW * C);
  // Offsets (relative to the window's first real pixel) of the window's real pixels, rebuilt per window.
  const taps = new Int32Array(kh * kw);
  let o = 0;
  for (let b = 0; b < n; b++) {
    const base = b * inH * rowStride;
    for (let oy = 0; oy < p.outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < p.outW; ox++) {
        const x0 = ox * strideW - padLeft;
        let count = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky * dilationH;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = x0 + kx * dilationW;
            if (ix >= 0 && ix < inW) taps[count++] = base + iy * rowStride + ix * C;
          }
        }
        if (count === 0)
          throw new ShapeError(`maxPool2d: window (${oy}, ${ox}) lies entirely in the padding`);
        for (let c = 0; c < C; c++) {
          let at = taps[0]! + c;
          let best = sel[at]!;
          for (let t = 1; t < count && best === best; t++) {
            const i = taps[t]! + c;
            const v = sel[i]!;
            if (v > best || v !== v) {
              best = v;
              at = i;
            }
          }
          out[o++] = at;
        }
      }
    }
  }
  return out;
}

function checkPair(inputs: readonly NDArray[], p: Window2D, who: string, second: "values" | "gradient") {
  checkWindow(p, who);
  const sel = checkInput(inputs[0], p, who, "selector");
  const n = sel.shape[0]!;
  const v = inputs[1];
  const want = second === "values" ? sel.shape : [n, p.outH, p.outW, p.channels];
  if (!v || v.ndim !== 4 || v.shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(
      `${who}: expected ${second} of shape ${formatShape(want)}, got ${v ? formatShape(v.shape) : "nothing"}`,
    );
  }
  if (!isFloat(v.dtype)) throw new TypeError(`${who}: ${second} must be float32 or float64, got ${v.dtype}`);
  return { n, v };
}

/**
 * `maxPoolGather([select, values], window)`: for each window and channel, the entry of `values` (NHWC, the
 * shape of `select`) at the position of `select`'s maximum. Max pooling is `maxPoolGather([x, x], w)`.
 * The gradient goes to `values` only (the argmax is piecewise constant in `select`), via `maxPoolScatter`.
 */
export const maxPoolGather: WindowPrimitive = definePrimitive<Window2D>({
  name: "maxPoolGather",
  output: (inputs, p) => {
    const { n, v } = checkPair(inputs, p, "maxPoolGather", "values");
    return { shape: [n, p.outH, p.outW, p.channels], dtype: v.dtype };
  },
  kernel: ([sel, values], p, out) => {
    const idx = windowArgmax(sel!.dataSync(), sel!.shape[0]!, p);
    const v = values!.dataSync();
    const o = out.buffer;
    for (let i = 0; i < idx.length; i++) o[i] = v[idx[i]!]!;
  },
  vjp: (g, [sel], _y, p, needs) => [null, needs[1] ? maxPoolScatter([sel!, g], p) : null],
});

/**
 * `maxPoolScatter([select, g], window)`: the adjoint of `maxPoolGather` in its values: each entry of `g`
 * (`[N, outH, outW, C]`) is added at the position of its window's maximum of `select`, into zeros of
 * `select`'s shape. This is the max-pool gradient: it routes to the argmax.
 */
export const maxPoolScatter: WindowPrimitive = definePrimitive<Window2D>({
  name: "maxPoolScatter",
  output: (inputs, p) => {
    const { v } = checkPair(inputs, p, "maxPoolScatter", "gradient");
    return { shape: inputs[0]!.shape, dtype: v.dtype };
  },
  kernel: ([sel, g], p, out) => {
    const idx = windowArgmax(sel!.dataSync(), sel!.shape[0]!, p);
    const src = g!.dataSync();
    const o = out.buffer;
    for (let i = 0; i < idx.length; i++) o[idx[i]!]! += src[i]!;
  },
  vjp: (g, [sel], _y, p, needs) => [null, needs[1] ? maxPoolGather([sel!, g], p) : null],
});
