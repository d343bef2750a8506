// Wasm kernels for layer-conv's window primitives (im2col, col2im, maxPoolGather, maxPoolScatter) over
// contiguous NHWC float32/float64 data, and for its bias + ReLU epilogue (biasRelu). This file knows the parameters' shape only structurally, so the
// main entry does not import @chainrule/layer-conv; src/conv-kernels.ts pairs them with its primitives.
import { ShapeError, type CustomKernel, type NDArray } from "@chainrule/ndarray";
import type { Dtype, FloatArray } from "./dtype";
import { biasAct } from "./fused";
import { placeInput, placeOutput, range, type Target } from "./wasm/resident";
import { freshArena, type Arena } from "./wasm/runtime";

/** The window geometry of layer-conv's primitives (its `Window2D`), in the order assembly/conv.ts reads it. */
export const GEOMETRY_FIELDS = [
  "inH",
  "inW",
  "channels",
  "kh",
  "kw",
  "strideH",
  "strideW",
  "dilationH",
  "dilationW",
  "padTop",
  "padLeft",
  "outH",
  "outW",
] as const;

export type WindowParams = { readonly [K in (typeof GEOMETRY_FIELDS)[number]]: number };

/** The float dtype every array shares, or undefined (then the reference kernel runs). */
function sharedFloat(arrays: readonly NDArray[]): Dtype | undefined {
  const d = arrays[0]?.dtype;
  if (d !== "float32" && d !== "float64") return undefined;
  return arrays.every((x) => x.dtype === d) ? d : undefined;
}

function bytes(dtype: Dtype, count: number): number {
  return (dtype === "float32" ? 4 : 8) * count;
}

function putGeometry(arena: Arena, p: WindowParams): number {
  const ptr = arena.alloc(4 * GEOMETRY_FIELDS.length);
  const g = new Int32Array(arena.rt.memory.buffer, ptr, GEOMETRY_FIELDS.length);
  GEOMETRY_FIELDS.forEach((k, i) => (g[i] = p[k]));
  return ptr;
}

/** The contiguous elements of `x` in wasm memory: in place when resident, else copied into the arena. */
function input(arena: Arena, x: NDArray): number {
  return placeInput(arena, x.dataSync());
}

/** Where the kernel writes `out` (apart from the inputs it reads). */
function output(arena: Arena, out: NDArray, reads: readonly NDArray[], ptrs: readonly number[]): Target {
  const ranges = reads.map((x, i) => range(x.buffer, ptrs[i]!, x.size));
  return placeOutput(arena, out.buffer, out.offset, out.size, { reads: ranges });
}

type Kind = "im2col" | "col2im";

function windowCopy(kind: Kind, fallback: CustomKernel<WindowParams>): CustomKernel<WindowParams> {
  return (inputs, p, out) => {
    const x = inputs[0]!;
    const dtype = sharedFloat([x, out]);
    if (!dtype) return fallback(inputs, p, out);
    const arena = freshArena();
    const pg = putGeometry(arena, p);
    const px = input(arena, x);
    const y = output(arena, out, [x], [px]);
    const ex = arena.rt.exports;
    const f32 = dtype === "float32";
    const fn = kind === "im2col" ? (f32 ? ex.im2colF32 : ex.im2colF64) : f32 ? ex.col2imF32 : ex.col2imF64;
    fn(pg, px, y.ptr, x.shape[0]!);
    y.finish();
  };
}

/** im2col in wasm: `[N, H, W, C]` → `[N, outH, outW, kh·kw·C]` (contiguous runs moved with memory.copy). */
export const wasmIm2col = (fallback: CustomKernel<WindowParams>) => windowCopy("im2col", fallback);
/** col2im in wasm: the adjoint of im2col (SIMD adds of each channel run). */
export const wasmCol2im = (fallback: CustomKernel<WindowParams>) => windowCopy("col2im", fallback);

function windowPool(
  kind: "gather" | "scatter",
  fallback: CustomKernel<WindowParams>,
): CustomKernel<WindowParams> {
  return (inputs, p, out) => {
    const [sel, v] = inputs as [NDArray, NDArray];
    const dtype = sharedFloat([sel, v, out]);
    if (!dtype) return fallback(inputs, p, out);
    const n = sel.shape[0]!;
    const windows = n * p.outH * p.outW * p.channels;
    const arena = freshArena();
    const pg = putGeometry(arena, p);
    const ps = input(arena, sel);
    // Max pooling gathers from its own selector (`[x, x]`): one copy serves both.
    const pv = v === sel ? ps : input(arena, v);
    const y = output(arena, out, [sel, v], [ps, pv]);
    const pidx = arena.alloc(4 * windows);
    const pbest = arena.alloc(bytes(dtype, p.channels));
    const ex = arena.rt.exports;
    const f32 = dtype === "float32";
    const fn =
      kind === "gather"
        ? f32
          ? ex.poolGatherF32
          : ex.poolGatherF64
        : f32
          ? ex.poolScatterF32
          : ex.poolScatterF64;
    const status = fn(pg, ps, pv, y.ptr, n, pidx, pbest);
    if (status !== 0) {
      const w = (status - 1) % (p.outH * p.outW);
      const oy = Math.floor(w / p.outW);
      throw new ShapeError(`maxPool2d: window (${oy}, ${w % p.outW}) lies entirely in the padding`);
    }
    y.finish();
  };
}

/** maxPoolGather in wasm: each window's value at the selector's argmax (first on ties, NaN wins). */
export const wasmPoolGather = (fallback: CustomKernel<WindowParams>) => windowPool("gather", fallback);
/** maxPoolScatter in wasm: the max-pool gradient, added at each window's argmax. */
export const wasmPoolScatter = (fallback: CustomKernel<WindowParams>) => windowPool("scatter", fallback);

/**
 * Below this many elements layer-conv's own biasRelu loop is as fast as copying into wasm memory and back
 * (the same break-even as the elementwise kernels, src/elementwise-ops.ts).
 */
export const WASM_BIAS_RELU_MIN_SIZE = 16384;

/** layer-conv's biasRelu (`relu(y + bias)` over the last axis) as one SIMD pass: `biasAct(…, "relu")`. */
export function wasmBiasRelu(
  fallback: CustomKernel<Record<string, never>>,
): CustomKernel<Record<string, never>> {
  return (inputs, p, out) => {
    const [y, bias] = inputs as [NDArray, NDArray];
    const dtype = sharedFloat([y, bias, out]);
    if (!dtype || out.size < WASM_BIAS_RELU_MIN_SIZE) return fallback(inputs, p, out);
    const target = (out.buffer as FloatArray).subarray(out.offset, out.offset + out.size);
    biasAct(y.dataSync() as FloatArray, bias.dataSync() as FloatArray, "relu", target);
  };
}
