import { jsBackend } from "./backend-js";
import { setDefaultBackend } from "./engine";
import { installMethods } from "./methods";
import { brandNDArray } from "./copies";

setDefaultBackend(jsBackend);
installMethods();
brandNDArray();

export { NDArray, type NestedArray } from "./ndarray";
export { type DType, type TypedArray, DTYPES, promote, isFloat, weakScalarDType, allocate } from "./dtype";
export { BackendError, ShapeError, formatShape } from "./errors";
export {
  foreignCopy,
  foreignCopyError,
  THIS_COPY,
  copyOf,
  brandClass,
  type CopyInfo,
  type ClassBrand,
} from "./copies";
export {
  broadcastShapes,
  sizeOf,
  contiguousStrides,
  normalizeAxis,
  normalizeAxes,
  shapesEqual,
} from "./shape";
export * from "./creation";
export { Random } from "./random";
export * from "./ops/unary";
export * from "./ops/binary";
export { cast } from "./ops/cast";
export { where } from "./ops/where";
export * from "./ops/reduce";
export * from "./ops/composite";
// NumPy's name; `var` is a reserved word, so it is an export alias of `variance` (`np.var(x)` works).
export { variance as var } from "./ops/composite";
export { matmul, matmulAccumulate, dot, outer } from "./ops/matmul";
export {
  reshape,
  permute,
  transpose,
  mT,
  broadcastTo,
  expand,
  squeeze,
  unsqueeze,
  expandDims,
  flatten,
  contiguous,
  sumTo,
} from "./ops/views";
export { slice, stridedSlice, type SliceSpec } from "./ops/slice";
export { pad, concat, stack, split, tile, gather, take, scatterAdd, unslice, oneHot } from "./ops/structure";
export type { Input } from "./ops/util";
export { forEachRow } from "./iter";
export {
  canGenerateCode,
  HELPERS as elementwiseHelpers,
  type Helpers as ElementwiseHelpers,
} from "./ops/codegen";
export { jsBackend } from "./backend-js";
export {
  definePrimitive,
  primitiveKernel,
  primitiveKernels,
  type PrimitiveKernels,
  type PrimitiveKernelEntry,
  type PrimitiveDefinition,
  type DefinedPrimitive,
  type CustomKernel,
} from "./define";
export { primitives } from "./primitives";
export { tidy, keep, dispose, isDisposed, poolStats, setPoolLimit } from "./pool";
export {
  setBackend,
  getBackend,
  withBackend,
  kernelsOf,
  pushRecorder,
  popRecorder,
  isRecording,
  emit,
  withoutRecording,
  type Recorder,
} from "./engine";
export type {
  Backend,
  HostBackend,
  DeviceBackend,
  DeviceMemory,
  ResidentMemory,
  DeviceStorage,
  FusedKernels,
  ElementwiseGroup,
  ElementwiseMember,
  Kernel,
  KernelTable,
  KernelPrim,
  Primitive,
  PrimName,
  PrimParams,
  UnaryOp,
  BinaryOp,
  ArithOp,
  CompareOp,
  ReduceOp,
  VJP,
} from "./primitive";
