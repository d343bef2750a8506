// The chainrule Backend built on these kernels: every primitive has a kernel (the reference
// kernels of @chainrule/ndarray where crossing into wasm does not pay), and matmul runs in wasm.
import {
  allocate,
  jsBackend,
  NDArray,
  type HostBackend,
  type Kernel,
  type KernelTable,
  type PrimitiveKernels,
} from "@chainrule/ndarray";
import type { AdamStep } from "@chainrule/optim";
import { setBackend } from "@chainrule/ndarray";
import { adamUpdate } from "./fused";
import { elementwiseKernels } from "./elementwise-ops";
import { compareKernels, wasmCast, wasmWhere } from "./elementwise-groups";
import { gemm } from "./gemm";
import { compileElementwiseGroup } from "./group";
import { reduceKernels } from "./reduce";
import { residentMemory } from "./wasm/resident";
import { initBackend, jsFallback, type BackendOptions, type FallbackOptions } from "./lifecycle";
import { initThreads, type ThreadOptions } from "./threads/index";

/**
 * Below this many multiply-adds a matmul stays in JS: copying operands into wasm memory and back
 * costs more than the product itself (the per-sample moons network lives here).
 */
export const WASM_MATMUL_MIN_MACS = 4096;

interface Layout {
  trans: boolean;
  buffer: Float32Array | Float64Array;
  offset: number;
  ld: number;
}

/**
 * How gemm reads a rows×cols operand with strides (rs, cs) at `offset`: row-major, or transposed
 * storage (a transposed view costs nothing), or — for any other view — a packed copy.
 */
function layout(x: NDArray, offset: number, rows: number, cols: number, rs: number, cs: number): Layout {
  const buffer = x.buffer as Float32Array | Float64Array;
  if ((cs === 1 || cols === 1) && (rows === 1 || rs >= cols)) {
    return { trans: false, buffer, offset, ld: rows === 1 ? Math.max(cols, 1) : rs };
  }
  if ((rs === 1 || rows === 1) && (cols === 1 || cs >= rows)) {
    return { trans: true, buffer, offset, ld: cols === 1 ? Math.max(rows, 1) : cs };
  }
  const packed = allocate(x.dtype, rows * cols) as Float32Array | Float64Array;
  for (let i = 0, p = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) packed[p++] = buffer[offset + i * rs + j * cs]!;
  return { trans: false, buffer: packed, offset: 0, ld: Math.max(cols, 1) };
}

const jsMatmul = jsBackend.kernels.matmul;

/** Batched matmul in wasm for float32/float64 when big enough; the reference kernel otherwise. */
export const wasmMatmul: Kernel<"matmul"> = (inputs, params, out) => {
  const [a, b] = inputs as [NDArray, NDArray];
  const r = a.ndim;
  const m = a.shape[r - 2]!;
  const k = a.shape[r - 1]!;
  const n = b.shape[r - 1]!;
  const dtype = out.dtype;
  if ((dtype !== "float32" && dtype !== "float64") || m * n * k < WASM_MATMUL_MIN_MACS) {
    return jsMatmul(inputs, params, out);
  }
  const batchShape = out.shape.slice(0, r - 2);
  const batch = out.size / (m * n);
  for (let bi = 0; bi < batch; bi++) {
    let rem = bi;
    let ao = a.offset;
    let bo = b.offset;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      const idx = rem % batchShape[d]!;
      rem = (rem - idx) / batchShape[d]!;
      ao += idx * a.strides[d]!;
      bo += idx * b.strides[d]!;
    }
    const A = layout(a, ao, m, k, a.strides[r - 2]!, a.strides[r - 1]!);
    const B = layout(b, bo, k, n, b.strides[r - 2]!, b.strides[r - 1]!);
    const C = out.buffer as Float32Array | Float64Array;
    gemm(
      dtype,
      A.trans,
      B.trans,
      m,
      n,
      k,
      1,
      A.buffer,
      A.offset,
      A.ld,
      B.buffer,
      B.offset,
      B.ld,
      0,
      C,
      bi * m * n,
      n,
    );
  }
};

/**
 * Below this many parameters an optimizer's own loop is as fast as copying into wasm memory and back.
 * Above it the SIMD update wins even with the copies (`pnpm bench adam`: about 2× on the Fashion MLP's weights).
 */
export const WASM_ADAM_MIN_SIZE = 4096;

/** Adam in wasm when the parameter, gradient and moments share one float dtype and it pays off. */
export function wasmAdam(s: AdamStep): boolean {
  const { param, grad, m, v } = s;
  if (param.length < WASM_ADAM_MIN_SIZE) return false;
  const Ctor = param instanceof Float32Array ? Float32Array : Float64Array;
  if (!(grad instanceof Ctor && m instanceof Ctor && v instanceof Ctor)) return false;
  adamUpdate(param, grad, m, v, s.lr, s.beta1, s.beta2, s.epsilon, s.step);
  return true;
}

/**
 * The kernels that pay off in wasm (matmul, the exactly rounded elementwise ops of src/elementwise-ops.ts,
 * comparisons, cast and where as group programs, and the reductions of src/reduce.ts); every other primitive
 * runs the reference kernel.
 */
export const wasmKernels: Partial<KernelTable> = {
  ...elementwiseKernels(),
  ...compareKernels(),
  ...reduceKernels(),
  cast: wasmCast,
  where: wasmWhere,
  matmul: wasmMatmul,
};

export interface WasmBackendOptions extends BackendOptions {
  /** Worker threads for large matmuls (Node worker_threads or Web Workers over shared memory). */
  threads?: number | false;
  threadOptions?: Omit<ThreadOptions, "threads">;
  /**
   * Kernels for primitives defined outside the core, e.g. `wasmConvKernels` from
   * `@chainrule/backend-wasm/conv` (layer-conv's im2col, col2im and max pooling in wasm).
   */
  primitiveKernels?: PrimitiveKernels;
  /**
   * Keep traced plans' buffers in wasm memory (default true where the memory is shared), so kernels read and
   * write them in place instead of copying them in and out. `false` gives every plan JS typed arrays.
   */
  resident?: boolean;
}

/** Compiles the module (and starts workers when asked) and returns the Backend. */
export async function createBackend(options: WasmBackendOptions = {}): Promise<HostBackend> {
  await initBackend(options);
  if (options.threads !== false && (options.threads ?? 1) > 1) {
    await initThreads({ ...options.threadOptions, threads: options.threads as number });
  }
  const { primitiveKernels } = options;
  return {
    name: "wasm",
    kernels: wasmKernels,
    fused: { adam: wasmAdam },
    compileElementwise: compileElementwiseGroup,
    primitiveKernels,
    residentMemory: options.resident === false ? undefined : residentMemory(),
  };
}

/**
 * One call: `await useWasmBackend()` makes every op run on the wasm backend from then on. Where wasm cannot
 * start (a CSP without 'wasm-unsafe-eval'), it warns and sets the js backend instead: check `.name` of the
 * result (see FallbackOptions).
 */
export async function useWasmBackend(
  options: WasmBackendOptions & FallbackOptions = {},
): Promise<HostBackend> {
  const backend = await createBackend(options).catch((e: unknown) => jsFallback(e, options));
  setBackend(backend);
  return backend;
}
