// A GEMM shared between threads: cut into units that each thread claims one at a time (src/threads/pool.ts),
// so the split adapts to how much CPU each thread gets. The whole of the operand every unit reads is packed
// once up front (assembly/gemm-units.ts), and each C element is still computed by one thread with the same
// k blocking as on one thread, so the result is bit-identical to the single-threaded one.
import type { Dtype } from "./dtype";
import { JOB_GEMM_F32, JOB_GEMM_F64, MAX_UNITS } from "./threads/protocol";
import type { ThreadPool } from "./threads/pool";
import type { Arena } from "./wasm/runtime";

/** Units per thread: enough that the last unit (the most a thread can be left waiting for) is small. */
export const UNITS_PER_THREAD = 8;
/** No unit below this many flops: a claim and a call into wasm cost well under a µs, a unit ≥ 6 µs here. */
export const MIN_UNIT_FLOPS = 2 ** 18;

const ROWS = 0;
const COLS = 1;
const ITEMS = 2;

export interface Plan {
  mode: typeof ROWS | typeof COLS | typeof ITEMS;
  /** Rows, columns or batch items per unit. */
  unit: number;
  units: number;
}

/** Micro-tile rows × columns of the compiled kernel (assembly/gemm.ts `mr`/`nr`). */
export function tile(dtype: Dtype, relaxed: boolean): [number, number] {
  if (dtype === "float64") return [4, 4];
  return relaxed ? [3, 12] : [4, 8];
}

function slices(extent: number, multiple: number, perSlice: number, threads: number) {
  const bySpeed = Math.ceil(extent / (UNITS_PER_THREAD * threads));
  const bySize = Math.ceil(MIN_UNIT_FLOPS / perSlice);
  const unit = Math.ceil(Math.max(bySpeed, bySize, 1) / multiple) * multiple;
  return { unit, units: Math.ceil(extent / unit) };
}

/**
 * How to cut an m×n×k (×batch) product into units; undefined when it is one unit. Whole batch items when
 * there are several; else rows of C (every unit then reads all of op(B), packed once) when m ≥ n, else
 * columns (all of op(A) packed once): the packed operand is the smaller one. Cuts fall on whole micro-tiles.
 */
export function plan(
  m: number,
  n: number,
  k: number,
  batch: number,
  threads: number,
  [mr, nr]: [number, number],
): Plan | undefined {
  if (threads < 2) return undefined;
  if (batch >= 2) return batch <= MAX_UNITS ? { mode: ITEMS, unit: 1, units: batch } : undefined;
  const rows = slices(m, mr, 2 * n * k, threads);
  const cols = slices(n, nr, 2 * m * k, threads);
  const choice =
    m >= n
      ? [
          { mode: ROWS, ...rows },
          { mode: COLS, ...cols },
        ]
      : [{ mode: COLS, ...cols }];
  const found = choice.find((c) => c.units >= 2 && c.units <= MAX_UNITS);
  return found as Plan | undefined;
}

/** The operands in wasm memory (byte pointers) and the gemm arguments. */
export interface Placed {
  dtype: Dtype;
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  a: number;
  lda: number;
  b: number;
  ldb: number;
  c: number;
  ldc: number;
  strideA: number;
  strideB: number;
  strideC: number;
}

const JOB_BYTES = 88;

/** Packs the shared operand, writes the job struct (assembly/gemm-units.ts) and runs it on the pool. */
export function runSplit(pool: ThreadPool, arena: Arena, g: Placed, p: Plan): void {
  const ex = arena.rt.exports;
  const f32 = g.dtype === "float32";
  const job = arena.alloc(JOB_BYTES);
  let packedA = 0;
  let packedB = 0;
  if (p.mode === COLS) {
    packedA = arena.alloc((f32 ? ex.gemmPackedABytesF32 : ex.gemmPackedABytesF64)(g.m, g.k));
  } else if (p.mode === ROWS) {
    packedB = arena.alloc((f32 ? ex.gemmPackedBBytesF32 : ex.gemmPackedBBytesF64)(g.n, g.k));
  }
  const scratchOf = f32 ? ex.gemmScratchF32 : ex.gemmScratchF64;
  const partM = p.mode === ROWS ? p.unit : g.m;
  const partN = p.mode === COLS ? p.unit : g.n;
  const scratch = Array.from({ length: pool.size + 1 }, () => arena.alloc(scratchOf(partM, partN, g.k)));

  if (packedA !== 0) {
    (f32 ? ex.gemmPackAF32 : ex.gemmPackAF64)(+g.transA, g.m, g.k, g.alpha, g.a, g.lda, packedA);
  }
  if (packedB !== 0) (f32 ? ex.gemmPackBF32 : ex.gemmPackBF64)(+g.transB, g.n, g.k, g.b, g.ldb, packedB);

  const buffer = arena.rt.memory.buffer;
  new Int32Array(buffer, job, 18).set([
    +g.transA,
    +g.transB,
    g.m,
    g.n,
    g.k,
    g.lda,
    g.ldb,
    g.ldc,
    g.a,
    g.b,
    g.c,
    packedA,
    packedB,
    p.mode,
    p.unit,
    g.strideA,
    g.strideB,
    g.strideC,
  ]);
  new Float64Array(buffer, job + 72, 2).set([g.alpha, g.beta]);
  const unitFn = f32 ? ex.gemmUnitF32 : ex.gemmUnitF64;
  const kind = f32 ? JOB_GEMM_F32 : JOB_GEMM_F64;
  pool.run({ kind, job, units: p.units, scratch }, (u) => unitFn(job, u, scratch[0]!));
}
