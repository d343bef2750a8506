import type { BiasReluPrimitive, Window2D, WindowPrimitive } from "@chainrule/layer-conv";
import { ShapeError, type CustomKernel, type NDArray, type Primitive } from "@chainrule/ndarray";
import { runElementwise } from "./elementwise";
import { contiguous } from "./structure";
import { MAIN_ARGS, THREAD_INDEX, bufferOf, gridFor, wgslType, type Runner } from "./runner";

type WindowKernel = (inputs: readonly NDArray[], params: Window2D, out: NDArray) => void;

function windowInfo(size: number, offset: number, p: Window2D): Int32Array {
  return Int32Array.from([
    size, offset, p.inH, p.inW, p.channels, p.kh, p.kw, p.strideH, p.strideW,
    p.dilationH, p.dilationW, p.padTop, p.padLeft, p.outH, p.outW,
  ]); // prettier-ignore
}

/** The first window (along one axis) that can cover padded position p: ceil((p − (k − 1)·dil) / stride), ≥ 0. */
const FIRST = `fn first_(p: i32, k: i32, dil: i32, stride: i32) -> i32 {
  let a = p - (k - 1) * dil;
  if (a <= 0) { return 0; }
  return (a + stride - 1) / stride;
}`;

const HEADER = (t: string) => `@group(0) @binding(0) var<storage, read_write> out: array<${t}>;
@group(0) @binding(1) var<storage, read> src: array<${t}>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${FIRST}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= info[0]) { return; }
  let H = info[2]; let W = info[3]; let C = info[4]; let KH = info[5]; let KW = info[6];
  let SH = info[7]; let SW = info[8]; let DH = info[9]; let DW = info[10];
  let PT = info[11]; let PL = info[12]; let OH = info[13]; let OW = info[14];`;

/** One thread per column entry [b, oy, ox, (ky, kx, c)]: the input pixel it copies, or 0 in the padding. */
function im2colShader(t: string): string {
  return `${HEADER(t)}
  let c = i % C;
  let kx = (i / C) % KW;
  let ky = (i / (C * KW)) % KH;
  let ox = (i / (C * KW * KH)) % OW;
  let oy = (i / (C * KW * KH * OW)) % OH;
  let b = i / (C * KW * KH * OW * OH);
  let iy = oy * SH - PT + ky * DH;
  let ix = ox * SW - PL + kx * DW;
  var v = ${t}(0);
  if (iy >= 0 && iy < H && ix >= 0 && ix < W) { v = src[info[1] + ((b * H + iy) * W + ix) * C + c]; }
  out[i] = v;
}`;
}

/**
 * One thread per input pixel [b, y, x, c] gathers every column entry that copied it (the adjoint of
 * im2col, without atomics): windows in row-major order, so the sum order is the js kernel's.
 */
function col2imShader(t: string): string {
  return `${HEADER(t)}
  let c = i % C;
  let x = (i / C) % W;
  let y = (i / (C * W)) % H;
  let b = i / (C * W * H);
  var acc = ${t}(0);
  for (var oy = first_(y + PT, KH, DH, SH); oy <= min(OH - 1, (y + PT) / SH); oy++) {
    let dy = y + PT - oy * SH;
    if (dy < 0 || dy % DH != 0 || dy / DH >= KH) { continue; }
    let ky = dy / DH;
    for (var ox = first_(x + PL, KW, DW, SW); ox <= min(OW - 1, (x + PL) / SW); ox++) {
      let dx = x + PL - ox * SW;
      if (dx < 0 || dx % DW != 0 || dx / DW >= KW) { continue; }
      let kx = dx / DW;
      acc += src[info[1] + (((b * OH + oy) * OW + ox) * KH * KW + ky * KW + kx) * C + c];
    }
  }
  out[i] = acc;
}`;
}

/**
 * The flat NHWC index of the maximum of \`sel\` in window (oy, ox), channel c of image b: the first one in
 * window order on ties, a NaN counting as the maximum (and ending the search), padding never read; as
 * layer-conv's js kernel. Needs the HEADER's names plus \`src\`-independent \`sel\` and \`SO\` (its offset).
 */
function argmaxFn(t: string): string {
  const nan = t === "f32" ? "(bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u" : "false";
  return `fn argmax_(b: i32, oy: i32, ox: i32, c: i32) -> i32 {
  let H = info[2]; let W = info[3]; let C = info[4]; let KH = info[5]; let KW = info[6];
  var at = -1;
  var best = ${t}(0);
  for (var ky = 0; ky < KH; ky++) {
    let iy = oy * info[7] - info[11] + ky * info[9];
    if (iy < 0 || iy >= H) { continue; }
    for (var kx = 0; kx < KW; kx++) {
      let ix = ox * info[8] - info[12] + kx * info[10];
      if (ix < 0 || ix >= W) { continue; }
      let k = ((b * H + iy) * W + ix) * C + c;
      let v = sel[info[1] + k];
      if (at < 0 || v > best || ${nan}) { best = v; at = k; }
      if (${nan}) { return at; }
    }
  }
  return at;
}`;
}

const POOL_HEADER = (
  t: string,
  v: string,
) => `@group(0) @binding(0) var<storage, read_write> out: array<${v}>;
@group(0) @binding(1) var<storage, read> sel: array<${t}>;
@group(0) @binding(2) var<storage, read> src: array<${v}>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
${argmaxFn(t)}
${FIRST}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= info[0]) { return; }
  let H = info[2]; let W = info[3]; let C = info[4]; let KH = info[5]; let KW = info[6];
  let SH = info[7]; let SW = info[8]; let DH = info[9]; let DW = info[10];
  let PT = info[11]; let PL = info[12]; let OH = info[13]; let OW = info[14];
  let SRC = info[15];`;

/** One thread per output [b, oy, ox, c]: the entry of the values at the window's argmax of the selector. */
function poolGatherShader(t: string, v: string): string {
  return `${POOL_HEADER(t, v)}
  let c = i % C;
  let ox = (i / C) % OW;
  let oy = (i / (C * OW)) % OH;
  let b = i / (C * OW * OH);
  out[i] = src[SRC + argmax_(b, oy, ox, c)];
}`;
}

/**
 * One thread per input pixel [b, y, x, c]: the sum of the gradients of the windows whose argmax it is,
 * windows in row-major order (the js kernel's order), so no atomics are needed.
 */
function poolScatterShader(t: string, v: string): string {
  return `${POOL_HEADER(t, v)}
  let c = i % C;
  let x = (i / C) % W;
  let y = (i / (C * W)) % H;
  let b = i / (C * W * H);
  let me = ((b * H + y) * W + x) * C + c;
  var acc = ${v}(0);
  for (var oy = first_(y + PT, KH, DH, SH); oy <= min(OH - 1, (y + PT) / SH); oy++) {
    let dy = y + PT - oy * SH;
    if (dy < 0 || dy % DH != 0 || dy / DH >= KH) { continue; }
    for (var ox = first_(x + PL, KW, DW, SW); ox <= min(OW - 1, (x + PL) / SW); ox++) {
      let dx = x + PL - ox * SW;
      if (dx < 0 || dx % DW != 0 || dx / DW >= KW) { continue; }
      if (argmax_(b, oy, ox, c) == me) { acc += src[SRC + ((b * OH + oy) * OW + ox) * C + c]; }
    }
  }
  out[i] = acc;
}`;
}

function windowKernel(runner: Runner, op: string, shader: (t: string) => string): WindowKernel {
  return ([x0], p, out) => {
    const x = contiguous(runner, x0!);
    const buffers = [bufferOf(out, op), bufferOf(x, op)];
    if (out.size === 0) return;
    const code = shader(wgslType(out.dtype));
    runner.dispatch(op, code, buffers, windowInfo(out.size, x.offset, p), gridFor(out.size));
  };
}

/** The window a row of outputs reads has no real row (or column): the js kernel's error, from the params. */
function checkNoEmptyWindow(p: Window2D): void {
  const empty = (out: number, stride: number, pad: number, k: number, dil: number, size: number) => {
    for (let o = 0; o < out; o++) {
      let any = false;
      for (let t = 0; t < k && !any; t++)
        any = o * stride - pad + t * dil >= 0 && o * stride - pad + t * dil < size;
      if (!any) return o;
    }
    return -1;
  };
  const oy = empty(p.outH, p.strideH, p.padTop, p.kh, p.dilationH, p.inH);
  const ox = empty(p.outW, p.strideW, p.padLeft, p.kw, p.dilationW, p.inW);
  if (oy >= 0 || ox >= 0)
    throw new ShapeError(
      `maxPool2d: window (${Math.max(oy, 0)}, ${Math.max(ox, 0)}) lies entirely in the padding`,
    );
}

/** maxPoolGather / maxPoolScatter: the selector and the values (or gradient), each made contiguous. */
function poolKernel(runner: Runner, op: string, shader: (t: string, v: string) => string): WindowKernel {
  return ([sel0, src0], p, out) => {
    const sel = contiguous(runner, sel0!);
    const src = contiguous(runner, src0!);
    const buffers = [bufferOf(out, op), bufferOf(sel, op), bufferOf(src, op)];
    if (out.size === 0) return;
    checkNoEmptyWindow(p);
    const code = shader(wgslType(sel.dtype), wgslType(out.dtype));
    const info = Int32Array.from([...windowInfo(out.size, sel.offset, p), src.offset]);
    runner.dispatch(op, code, buffers, info, gridFor(out.size));
  };
}

/**
 * relu(y + bias) with the bias along the last axis (broadcast through a zero stride): one elementwise
 * pass, the f32 sum then relu's own select (v ≤ 0 → 0, NaN passes), so it equals add then relu bit for bit.
 */
function biasReluKernel(runner: Runner): CustomKernel<Record<string, never>> {
  return ([y, bias], _p, out) =>
    runElementwise(runner, "biasRelu", [y!, bias!], out, "select(s, 0.0, s <= 0.0)", "let s = v0 + v1;");
}

/**
 * The primitives of \`@chainrule/layer-conv\` this backend has kernels for, as that package exports them
 * (\`import { im2col, col2im, maxPoolGather, maxPoolScatter } from "@chainrule/layer-conv"\`).
 */
export interface ConvPrimitives {
  im2col: WindowPrimitive;
  col2im: WindowPrimitive;
  /** Max pooling and its gradient; without them \`maxPool2d\` on this backend is an error naming the primitive. */
  maxPoolGather?: WindowPrimitive;
  maxPoolScatter?: WindowPrimitive;
  /** Conv2D's fused bias + ReLU epilogue; without it a Conv2D with bias and ReLU on this backend is an error. */
  biasRelu?: BiasReluPrimitive;
}

/** WGSL kernels for layer-conv's primitives, keyed by the primitive objects themselves. */
export function convKernels(runner: Runner, prims: ConvPrimitives): Map<Primitive, CustomKernel<never>> {
  const kernels = new Map<Primitive, CustomKernel<never>>([
    [prims.im2col.primitive, windowKernel(runner, "im2col", im2colShader)],
    [prims.col2im.primitive, windowKernel(runner, "col2im", col2imShader)],
  ]);
  if (prims.maxPoolGather)
    kernels.set(prims.maxPoolGather.primitive, poolKernel(runner, "maxPoolGather", poolGatherShader));
  if (prims.maxPoolScatter)
    kernels.set(prims.maxPoolScatter.primitive, poolKernel(runner, "maxPoolScatter", poolScatterShader));
  if (prims.biasRelu) kernels.set(prims.biasRelu.primitive, biasReluKernel(runner));
  return kernels;
}
