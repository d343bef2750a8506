// @chainrule/backend-wasm: WebAssembly SIMD kernels over Float32Array/Float64Array.
export type { Dtype, FloatArray } from "./dtype";
export type { UnaryOp, BinaryOp, Activation } from "./opcodes";
export { gemm, gemmBatched, matmul } from "./gemm";
export { unary, binary, binaryRowBroadcast, binaryScalar } from "./elementwise";
export {
  WASM_UNARY,
  WASM_BINARY,
  WASM_ELEMENTWISE_MIN_SIZE,
  wasmUnaryKernel,
  wasmBinaryKernel,
} from "./elementwise-ops";
export { biasAct, adamUpdate, axpy } from "./fused";
export {
  compileElementwiseGroup,
  compileElementwiseAnySize,
  GROUP_BINARY,
  WASM_GROUP_MIN_SIZE,
} from "./group";
export {
  WASM_REDUCE_MIN_SIZE,
  reduceInWasm,
  wasmReduceKernel,
  wasmArgKernel,
  type ReducePrim,
} from "./reduce";
export { copyStats } from "./wasm/resident";
export { measureSimdPeak, type SimdPeak } from "./peak";
export {
  initThreads,
  shutdownThreads,
  threadCount,
  threadStats,
  DEFAULT_THREAD_MIN_FLOPS,
  type ThreadOptions,
} from "./threads/index";
export type { PoolStats } from "./threads/pool";
export {
  initBackend,
  disposeBackend,
  backendInfo,
  WasmUnavailableError,
  type BackendInfo,
  type BackendOptions,
  type FallbackOptions,
} from "./lifecycle";
export {
  createBackend,
  useWasmBackend,
  wasmKernels,
  wasmMatmul,
  wasmAdam,
  WASM_ADAM_MIN_SIZE,
  WASM_MATMUL_MIN_MACS,
  type WasmBackendOptions,
} from "./backend";
