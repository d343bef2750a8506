import type { NDArray, Primitive } from "@chainrule/ndarray";
import { contiguous } from "./structure";
import { MAIN_ARGS, THREAD_INDEX, bufferOf, gridFor, wgslType, type Runner } from "./runner";

/** layer-conv's window parameters (structural: this package does not depend on layer-conv). */
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

type WindowKernel = (inputs: readonly NDArray[], params: Window2D, out: NDArray) => void;

function windowInfo(size: number, offset: number, p: Window2D): Int32Array {
  return Int32Array.from([
    size, offset, p.inH, p.inW, p.channels, p.kh, p.kw, p.strideH, p.strideW,
    p.dilationH, p.dilationW, p.padTop, p.padLeft, p.outH, p.outW,
  ]); // prettier-ignore
}

const HEADER = (t: string) => `@group(0) @binding(0) var<storage, read_write> out: array<${t}>;
@group(0) @binding(1) var<storage, read> src: array<${t}>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
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
  for (var oy = 0; oy < OH; oy++) {
    let dy = y + PT - oy * SH;
    if (dy < 0 || dy % DH != 0 || dy / DH >= KH) { continue; }
    let ky = dy / DH;
    for (var ox = 0; ox < OW; ox++) {
      let dx = x + PL - ox * SW;
      if (dx < 0 || dx % DW != 0 || dx / DW >= KW) { continue; }
      let kx = dx / DW;
      acc += src[info[1] + (((b * OH + oy) * OW + ox) * KH * KW + ky * KW + kx) * C + c];
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

/** The primitives of `@chainrule/layer-conv` this backend has kernels for, as that package exports them. */
export interface ConvPrimitives {
  im2col: { primitive: Primitive };
  col2im: { primitive: Primitive };
}

/** WGSL kernels for layer-conv's im2col and col2im, keyed by the primitive objects themselves. */
export function convKernels(runner: Runner, prims: ConvPrimitives): Map<Primitive, WindowKernel> {
  return new Map([
    [prims.im2col.primitive, windowKernel(runner, "im2col", im2colShader)],
    [prims.col2im.primitive, windowKernel(runner, "col2im", col2imShader)],
  ]);
}
