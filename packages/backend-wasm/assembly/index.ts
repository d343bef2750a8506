// Entry point: everything exported here becomes a wasm export used by src/wasm/exports.ts.
export { gemmScratchF32, gemmScratchF64, gemmBatchedF32, gemmBatchedF64 } from "./gemm";
export {
  gemmUnitF32,
  gemmUnitF64,
  gemmPackedABytesF32,
  gemmPackedABytesF64,
  gemmPackedBBytesF32,
  gemmPackedBBytesF64,
  gemmPackAF32,
  gemmPackAF64,
  gemmPackBF32,
  gemmPackBF64,
} from "./gemm-units";
export {
  unaryF32,
  unaryF64,
  binaryF32,
  binaryF64,
  binaryRowsF32,
  binaryRowsF64,
  binaryScalarF32,
  binaryScalarF64,
} from "./elementwise";
export {
  im2colF32,
  im2colF64,
  col2imF32,
  col2imF64,
  poolGatherF32,
  poolGatherF64,
  poolScatterF32,
  poolScatterF64,
} from "./conv";
export { simdPeakF32 } from "./peak";
export { im2colNchwF32 } from "./conv-nchw";
export { biasActF32, biasActF64, adamF32, adamF64, axpyF32, axpyF64 } from "./fused";
export { reduceLines, reduceColumns } from "./reduce";
export { groupF32, groupF64, widenU8, narrowU8 } from "./group";

/** First byte past static data; the JS scratch arena starts here. */
export function heapBase(): usize {
  return __heap_base;
}
