// Public thread controls. Threads are opt-in: `await initThreads()` once, after which
// large GEMMs split across the caller plus (threads − 1) workers. Everything else, and
// every GEMM below the size threshold, stays on the calling thread.
import { runtime } from "../wasm/runtime";
import { ThreadPool, type PoolStats } from "./pool";

/** 2·m·n·k·batch below which a GEMM stays single-threaded (a dispatch to a spinning worker costs ~1–5 µs; bench/matmul.mjs --fashion). */
export const DEFAULT_THREAD_MIN_FLOPS = 2 * 64 ** 3;

let pool: ThreadPool | undefined;
let starting: Promise<number> | undefined;
let minFlops = DEFAULT_THREAD_MIN_FLOPS;

export interface ThreadOptions {
  /** Total threads including the caller (default 2). 1 shuts the pool down. */
  threads?: number;
  /** Work (2·m·n·k·batch flops) from which GEMM is split across threads. */
  minFlops?: number;
}

/**
 * Starts worker threads over the shared wasm memory. Resolves to the number of threads
 * GEMM will use: 1 where SharedArrayBuffer or workers are unavailable (e.g. a page
 * that is not cross-origin isolated), in which case everything keeps running inline.
 */
export async function initThreads(options: ThreadOptions = {}): Promise<number> {
  if (options.minFlops !== undefined) minFlops = options.minFlops;
  const threads = Math.max(1, Math.floor(options.threads ?? 2));
  await starting?.catch(() => undefined);
  if (pool && pool.size + 1 === threads && pool.rt === runtime()) return threads;
  await shutdownThreads();
  if (threads === 1) return 1;
  const rt = runtime();
  if (!rt.shared) return 1;
  starting = ThreadPool.start(rt, threads - 1).then(
    (p) => {
      pool = p;
      return p.size + 1;
    },
    () => 1,
  );
  try {
    return await starting;
  } finally {
    starting = undefined;
  }
}

/** Terminates the workers; GEMM falls back to the calling thread. */
export async function shutdownThreads(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}

/** Threads GEMM currently uses (1 without a pool). */
export function threadCount(): number {
  return pool && pool.rt === runtime() ? pool.size + 1 : 1;
}

/** The pool to use for a GEMM of this many flops, if any. */
export function poolFor(flops: number): ThreadPool | undefined {
  if (!pool || flops < minFlops || pool.rt !== runtime() || (pool.contended && minFlops > 0))
    return undefined;
  return pool;
}

/**
 * How the pool's work was shared so far: jobs, units and the units the workers took (the rest ran on
 * the calling thread). A worker that gets little CPU shows up here as a small share.
 */
export function threadStats(): PoolStats {
  return pool?.stats() ?? { jobs: 0, units: 0, workerUnits: 0 };
}

/** Tests: makes worker `index` sleep `ms` on its next wake-up, as a descheduled worker would. */
export function pauseWorkerForTest(index: number, ms: number): void {
  pool?.pauseWorker(index, ms);
}

/** Tests: makes worker `index` sleep `ms` inside the next unit it claims (descheduled mid-unit). */
export function stallWorkerForTest(index: number, ms: number): void {
  pool?.stallWorker(index, ms);
}

/** Tests: whether GEMMs are kept on the calling thread now, and the back-off of the next stall. */
export function contentionForTest(): { contended: boolean; backoffMs: number } {
  return { contended: pool?.contended ?? false, backoffMs: pool?.policy.currentBackoffMs ?? 0 };
}
