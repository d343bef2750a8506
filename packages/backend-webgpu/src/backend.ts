import {
  setBackend,
  type CustomKernel,
  type DefinedPrimitive,
  type ArithOp,
  type CompareOp,
  type DeviceBackend,
  type KernelTable,
  type ReduceOp,
  type UnaryOp,
} from "@chainrule/ndarray";
import {
  arithKernel,
  castKernel,
  compareKernel,
  concatKernel,
  copyKernel,
  unaryKernel,
  unsliceKernel,
  whereKernel,
} from "./elementwise";
import { adamOnDevice } from "./adam";
import { optimizerKernels } from "./optimizers";
import { convKernels, type ConvPrimitives } from "./conv";
import { compileElementwise } from "./fusion";
import { acquireGpu, type Gpu } from "./gpu";
import { matmulKernel } from "./matmul";
import { BACKEND_NAME, gpuMemory } from "./memory";
import { argKernel, reduceKernel } from "./reduce";
import { Runner } from "./runner";
import { gatherKernel, scatterAddKernel } from "./structure";

// Records (not arrays) so that a primitive added to the core without a kernel here is a compile error.
const UNARY: Record<UnaryOp, 0> = {
  neg: 0, abs: 0, sign: 0, exp: 0, log: 0, log1p: 0, expm1: 0, sqrt: 0,
  sin: 0, cos: 0, tanh: 0, sigmoid: 0, relu: 0, floor: 0, ceil: 0, round: 0,
}; // prettier-ignore
const ARITH: Record<ArithOp, 0> = { add: 0, sub: 0, mul: 0, div: 0, pow: 0, maximum: 0, minimum: 0 };
const COMPARE: Record<CompareOp, 0> = { eq: 0, ne: 0, lt: 0, le: 0, gt: 0, ge: 0 };
const REDUCE: Record<ReduceOp, 0> = { sum: 0, prod: 0, max: 0, min: 0 };

function table<K extends string>(keys: Record<K, 0>, make: (k: K) => unknown): Record<K, never> {
  return Object.fromEntries(Object.keys(keys).map((k) => [k, make(k as K)])) as Record<K, never>;
}

function kernels(runner: Runner): KernelTable {
  return {
    ...table(UNARY, (op) => unaryKernel(runner, op)),
    ...table(ARITH, (op) => arithKernel(runner, op)),
    ...table(COMPARE, (op) => compareKernel(runner, op)),
    ...table(REDUCE, (op) => reduceKernel(runner, op)),
    argmax: argKernel(runner, "argmax"),
    argmin: argKernel(runner, "argmin"),
    cast: castKernel(runner),
    where: whereKernel(runner),
    copy: copyKernel(runner),
    matmul: matmulKernel(runner),
    unslice: unsliceKernel(runner),
    concat: concatKernel(runner),
    gather: gatherKernel(runner),
    scatterAdd: scatterAddKernel(runner),
  };
}

export interface WebGpuBackend extends DeviceBackend {
  /** The adapter's vendor and architecture (e.g. "google swiftshader"). */
  readonly adapter: string;
  readonly gpu: GPUDevice;
  /** The device-loss report once the device is gone (every later kernel and read throws it). */
  lost(): string | undefined;
}

export interface WebGpuOptions {
  /** The WebGPU entry point to use (default: `navigator.gpu`, else Dawn from the `webgpu` npm package). */
  gpu?: GPU;
  /**
   * `@chainrule/layer-conv`'s primitives (`import { im2col, col2im } from "@chainrule/layer-conv"`), to run
   * convolutions on the GPU. Passed in, not imported: this package does not depend on layer-conv.
   */
  conv?: ConvPrimitives;
}

/** A backend on the first WebGPU adapter: Dawn (the `webgpu` npm package) in Node, `navigator.gpu` in browsers. */
export async function createWebGpuBackend(options: WebGpuOptions = {}): Promise<WebGpuBackend> {
  const gpu: Gpu = await acquireGpu(options.gpu);
  const runner = new Runner(gpu);
  const extensions = options.conv ? convKernels(runner, options.conv) : new Map();
  return {
    primitiveKernels: {
      get: <P>(p: DefinedPrimitive<P>) => extensions.get(p) as CustomKernel<P> | undefined,
    },
    name: BACKEND_NAME,
    kernels: kernels(runner),
    fused: { adamOnDevice: adamOnDevice(runner), ...optimizerKernels(runner) },
    compileElementwise: compileElementwise(runner),
    device: gpuMemory(gpu),
    adapter: gpu.adapterName,
    gpu: gpu.device,
    lost: () => gpu.lost,
  };
}

/** Creates the webgpu backend and makes every op run on it from now on. */
export async function useWebGpuBackend(options: WebGpuOptions = {}): Promise<WebGpuBackend> {
  const backend = await createWebGpuBackend(options);
  setBackend(backend);
  return backend;
}
