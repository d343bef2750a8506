// Raw exports of assembly/index.ts. Pointers and sizes are byte addresses / element
// counts in wasm memory; booleans are 0/1.

type Ptr = number;

export type GemmBatchedFn = (
  transA: number,
  transB: number,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Ptr,
  lda: number,
  b: Ptr,
  ldb: number,
  beta: number,
  c: Ptr,
  ldc: number,
  batch: number,
  strideA: number,
  strideB: number,
  strideC: number,
  scratch: Ptr,
) => void;

type PackA = (transA: number, m: number, k: number, alpha: number, a: Ptr, lda: number, dst: Ptr) => void;
type PackB = (transB: number, n: number, k: number, b: Ptr, ldb: number, dst: Ptr) => void;
type Map = (op: number, x: Ptr, y: Ptr, n: number) => void;
type Zip = (op: number, a: Ptr, b: Ptr, y: Ptr, n: number) => void;
type ZipRows = (op: number, a: Ptr, b: Ptr, y: Ptr, rows: number, cols: number) => void;
type BiasAct = (x: Ptr, bias: Ptr, y: Ptr, rows: number, cols: number, act: number) => void;
type Adam = (
  p: Ptr,
  g: Ptr,
  m: Ptr,
  v: Ptr,
  n: number,
  lr: number,
  b1: number,
  b2: number,
  d1: number,
  d2: number,
  eps: number,
  c1: number,
  c2: number,
) => void;
type Axpy = (n: number, alpha: number, x: Ptr, y: Ptr) => void;
type ReduceLines = (
  op: number,
  element: number,
  x: Ptr,
  y: Ptr,
  lines: number,
  lineStride: number,
  len: number,
  step: number,
  first: number,
) => void;
type ReduceColumns = (
  op: number,
  element: number,
  x: Ptr,
  y: Ptr,
  cols: number,
  outer: number,
  outerStride: number,
  first: number,
  best: Ptr,
) => void;
type Group = (
  slots: Ptr,
  values: Ptr,
  nSlots: number,
  prog: Ptr,
  nInstr: number,
  n: number,
  cur: Ptr,
) => void;

type ZipScalar = (op: number, a: Ptr, s: number, y: Ptr, n: number, scalarFirst: number) => void;
type Window = (geom: Ptr, src: Ptr, dst: Ptr, n: number) => void;
type Pool = (geom: Ptr, sel: Ptr, v: Ptr, out: Ptr, n: number, idx: Ptr, best: Ptr) => number;

export interface KernelExports {
  im2colF32: Window;
  im2colF64: Window;
  col2imF32: Window;
  col2imF64: Window;
  poolGatherF32: Pool;
  poolGatherF64: Pool;
  poolScatterF32: Pool;
  poolScatterF64: Pool;
  heapBase(): number;
  simdPeakF32(iterations: number, seed: number): number;
  /** Benchmarks only (bench/conv-layout.mjs): im2col of NCHW data, assembly/conv-nchw.ts. */
  im2colNchwF32: Window;
  gemmScratchF32(m: number, n: number, k: number): number;
  gemmScratchF64(m: number, n: number, k: number): number;
  gemmBatchedF32: GemmBatchedFn;
  gemmBatchedF64: GemmBatchedFn;
  gemmUnitF32(job: Ptr, unit: number, scratch: Ptr): void;
  gemmUnitF64(job: Ptr, unit: number, scratch: Ptr): void;
  gemmPackedABytesF32(m: number, k: number): number;
  gemmPackedABytesF64(m: number, k: number): number;
  gemmPackedBBytesF32(n: number, k: number): number;
  gemmPackedBBytesF64(n: number, k: number): number;
  gemmPackAF32: PackA;
  gemmPackAF64: PackA;
  gemmPackBF32: PackB;
  gemmPackBF64: PackB;
  unaryF32: Map;
  unaryF64: Map;
  binaryF32: Zip;
  binaryF64: Zip;
  binaryScalarF32: ZipScalar;
  binaryScalarF64: ZipScalar;
  binaryRowsF32: ZipRows;
  binaryRowsF64: ZipRows;
  biasActF32: BiasAct;
  biasActF64: BiasAct;
  adamF32: Adam;
  adamF64: Adam;
  axpyF32: Axpy;
  axpyF64: Axpy;
  reduceLines: ReduceLines;
  reduceColumns: ReduceColumns;
  groupF32: Group;
  groupF64: Group;
  widenU8: (dst: Ptr, src: Ptr, n: number, toF64: number) => void;
  narrowU8: (dst: Ptr, src: Ptr, n: number, fromF64: number) => void;
}
