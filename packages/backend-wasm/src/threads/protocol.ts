// Layout of the control block shared between the main thread and each worker.
// Kept in its own SharedArrayBuffer (not wasm memory) so growing memory never moves it.
export const CTRL_INTS_PER_WORKER = 16;
export const ARGS_PER_WORKER = 32;

/** ctrl slots (Int32Array): main bumps SEQ to post a job, the worker echoes it in DONE. */
export const SEQ = 0;
export const DONE = 1;
export const STATUS = 2;

/** args slot 0 (Float64Array): which job; the rest are the gemmBatched arguments in order. */
export const JOB_EXIT = -1;
export const JOB_GEMM_F32 = 1;
export const JOB_GEMM_F64 = 2;

/**
 * How long an idle worker polls for the next job before sleeping in Atomics.wait, and how
 * long the caller polls for a worker to finish. Short enough that an idle pool costs nothing.
 */
export const WORKER_SPIN_MS = 0.2;
export const CALLER_SPIN_MS = 0.2;
/** How long GEMMs stay on the calling thread after a worker was found descheduled. */
export const CONTENDED_BACKOFF_MS = 100;
