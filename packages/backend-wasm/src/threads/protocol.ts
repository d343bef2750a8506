// Layout of the control block shared between the calling thread and the workers. Kept in its own
// SharedArrayBuffer (not wasm memory) so growing memory never moves it.
//
// A job is cut into `total` units (src/gemm.ts). Every thread, the caller included, claims the next unit
// with one Atomics.add on WORD, which holds (next unit << UNIT_SHIFT) | total, so a claim and the job's
// size are read together and a thread that joins late (woken late, descheduled) finds the job exhausted
// and takes nothing. After a claim the job cannot finish until that unit is DONE, so its arguments stay
// valid for the claimer: no thread reads a job's arguments before owning one of its units.
export const CTRL_INTS = 136; // room for PAUSE_BASE and STALL_BASE + every worker (at most ARGS − 2)

/** ctrl slots (Int32Array). */
export const SEQ = 0; // bumped per job: wakes sleeping workers
export const WORD = 1; // (next unit << UNIT_SHIFT) | total
export const DONE = 2; // units finished in this job
export const FAILED = 3; // a unit threw in this job
export const STOP = 4; // workers leave their loop
export const WORKER_UNITS = 5; // units finished by workers since the pool started (diagnostics)
export const PAUSE_BASE = 8; // + worker index: ms that worker sleeps on its next wake (tests: a descheduled worker)
export const STALL_BASE = 72; // + worker index: ms that worker sleeps inside the next unit it claims (tests)

export const UNIT_SHIFT = 12;
/** At most this many units per job (the low bits of WORD). */
export const MAX_UNITS = (1 << UNIT_SHIFT) - 1;

/** args (Float64Array): [kind, job pointer, scratch of thread 0, thread 1, …]. */
export const ARGS = 64;
export const JOB_GEMM_F32 = 1;
export const JOB_GEMM_F64 = 2;

/**
 * How long an idle worker polls for the next job before sleeping in Atomics.wait, and how
 * long the caller polls for a worker to finish. Short enough that an idle pool costs nothing.
 */
export const WORKER_SPIN_MS = 0.2;
export const CALLER_SPIN_MS = 0.2;
/** How long GEMMs stay on the calling thread after a worker was found stalled inside a unit. */
export const CONTENDED_BACKOFF_MS = 100;
/** The longest back-off: stalls that keep coming double it up to this (threads/policy.ts). */
export const MAX_BACKOFF_MS = 3200;
