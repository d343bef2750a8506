// A fixed set of workers that share the runtime's wasm memory. The calling thread posts a job by
// writing its arguments into a shared control block and bumping a sequence number; then it and the
// workers claim the job's units one at a time, so a worker that gets less CPU takes fewer units and the
// caller never waits for a worker that has not started. Workers sleep in Atomics.wait between jobs, so
// an idle pool costs no CPU. Jobs are synchronous from the caller's point of view.
import type { Runtime } from "../wasm/runtime";
import {
  ARGS,
  CALLER_SPIN_MS,
  CONTENDED_BACKOFF_MS,
  CTRL_INTS,
  DONE,
  FAILED,
  MAX_UNITS,
  PAUSE_BASE,
  SEQ,
  STOP,
  UNIT_SHIFT,
  WORD,
  WORKER_UNITS,
} from "./protocol";
import { WORKER_SOURCE } from "./worker-source";

const STARTUP_TIMEOUT_MS = 20_000;

/** What the pool needs from either a Node worker_threads Worker or a Web Worker. */
interface WorkerHandle {
  onMessage(listener: (data: unknown) => void): void;
  onError(listener: (error: unknown) => void): void;
  post(message: unknown): void;
  terminate(): Promise<unknown>;
  /** Called once the worker is ready: stop it keeping the process alive (Node), free its URL (browsers). */
  unref(): void;
}

interface NodeWorker {
  on(event: "message" | "error", listener: (value: unknown) => void): void;
  postMessage(message: unknown): void;
  terminate(): Promise<number>;
  unref(): void;
}

interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true }) => NodeWorker;
}

function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } } };
  return typeof g.process?.versions?.node === "string";
}

async function spawnWorker(): Promise<WorkerHandle> {
  if (isNode()) {
    // A computed specifier keeps browser bundlers from trying to resolve a Node builtin.
    const specifier = "node:worker_threads";
    const { Worker } = (await import(/* @vite-ignore */ specifier)) as NodeWorkerThreads;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const messageListeners: ((data: unknown) => void)[] = [];
    const errorListeners: ((error: unknown) => void)[] = [];
    worker.on("message", (data) => messageListeners.forEach((l) => l(data)));
    worker.on("error", (error) => errorListeners.forEach((l) => l(error)));
    return {
      onMessage: (listener) => messageListeners.push(listener),
      onError: (listener) => errorListeners.push(listener),
      post: (message) => worker.postMessage(message),
      terminate: () => worker.terminate(),
      // Only once started (an unref'd worker would let the process exit mid-startup) and
      // after all listeners exist (adding a "message" listener refs the port again).
      unref: () => worker.unref(),
    };
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  const worker = new Worker(url);
  // The script is fetched asynchronously, so the URL is revoked only once the worker is up or gone.
  const revoke = () => URL.revokeObjectURL(url);
  return {
    onMessage: (listener) => worker.addEventListener("message", (e) => listener(e.data)),
    onError: (listener) => worker.addEventListener("error", (e) => listener(e)),
    post: (message) => worker.postMessage(message),
    terminate: async () => {
      revoke();
      worker.terminate();
    },
    unref: revoke,
  };
}

/** Whether this thread may block in Atomics.wait (browsers forbid it on the main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** A job cut into units that every thread claims one at a time (see protocol.ts). */
export interface Job {
  kind: number;
  /** The job struct in wasm memory (assembly/gemm-units.ts). */
  job: number;
  units: number;
  /** Per-thread scratch in wasm memory: [0] the caller's, [i] worker i's. */
  scratch: readonly number[];
}

export interface PoolStats {
  jobs: number;
  units: number;
  /** Units the workers finished (the rest ran on the calling thread). */
  workerUnits: number;
}

export class ThreadPool {
  // The bundler names a class that refers to itself `_ThreadPool`; keep the public name (logs, inspect).
  static {
    Object.defineProperty(this, "name", { value: "ThreadPool" });
  }

  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly blocking = canBlock();
  private closed = false;
  private jobs = 0;
  private units = 0;

  private constructor(
    readonly rt: Runtime,
    private readonly workers: WorkerHandle[],
    ctrl: SharedArrayBuffer,
    args: SharedArrayBuffer,
  ) {
    this.ctrl = new Int32Array(ctrl);
    this.args = new Float64Array(args);
  }

  /** Starts `count` workers on the runtime's shared memory and resolves once all are ready. */
  static async start(rt: Runtime, count: number): Promise<ThreadPool> {
    if (count + 2 > ARGS) throw new RangeError(`at most ${ARGS - 2} worker threads`);
    const ctrl = new SharedArrayBuffer(CTRL_INTS * 4);
    const args = new SharedArrayBuffer(ARGS * 8);
    const workers: WorkerHandle[] = [];
    try {
      for (let i = 0; i < count; i++) workers.push(await spawnWorker());
      await Promise.all(
        workers.map(
          (worker, i) =>
            new Promise<void>((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error("worker did not start")), STARTUP_TIMEOUT_MS);
              worker.onMessage((data) => {
                if ((data as { type?: string }).type !== "ready") return;
                clearTimeout(timer);
                resolve();
              });
              worker.onError((error) => {
                clearTimeout(timer);
                reject(error);
              });
              worker.post({ module: rt.module, memory: rt.memory, ctrl, args, index: i + 1 });
            }),
        ),
      );
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    workers.forEach((w) => w.unref()); // an idle pool must never keep the process alive
    return new ThreadPool(rt, workers, ctrl, args);
  }

  private backoffUntil = 0;

  /** Whether a recent job found a worker stalled inside a unit (its core taken by another process). */
  get contended(): boolean {
    return this.backoffUntil > performance.now();
  }

  get size(): number {
    return this.workers.length;
  }

  stats(): PoolStats {
    return { jobs: this.jobs, units: this.units, workerUnits: Atomics.load(this.ctrl, WORKER_UNITS) };
  }

  /**
   * Runs every unit of `job`, on this thread (`runUnit`) and on whichever workers claim units, and
   * returns once all are done. This thread never waits for a worker to start: it claims units until
   * none is left and then waits only for units a worker is still computing. Blocks the calling thread
   * (spins where Atomics.wait is not allowed).
   */
  run(job: Job, runUnit: (unit: number) => void): void {
    if (this.closed) throw new Error("thread pool is closed");
    if (!(job.units >= 1 && job.units <= MAX_UNITS)) throw new RangeError(`bad unit count ${job.units}`);
    const { ctrl, args } = this;
    args[0] = job.kind;
    args[1] = job.job;
    job.scratch.forEach((ptr, i) => (args[2 + i] = ptr));
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, FAILED, 0);
    Atomics.store(ctrl, WORD, job.units);
    Atomics.add(ctrl, SEQ, 1);
    Atomics.notify(ctrl, SEQ);
    this.jobs++;
    this.units += job.units;

    const t0 = performance.now();
    let localError: unknown;
    for (;;) {
      const word = Atomics.add(ctrl, WORD, 1 << UNIT_SHIFT);
      const unit = word >>> UNIT_SHIFT;
      if (unit >= job.units) break;
      try {
        runUnit(unit);
      } catch (error) {
        localError ??= error;
      }
      Atomics.add(ctrl, DONE, 1);
    }
    const t1 = performance.now();
    this.awaitDone(job.units);
    // Waiting here means a worker was still inside a unit. Far longer than this thread's own share means
    // it was descheduled mid-unit: then stay single-threaded for a while (see `contended`).
    const waited = performance.now() - t1;
    if (waited > CALLER_SPIN_MS + 0.5 * (t1 - t0))
      this.backoffUntil = performance.now() + CONTENDED_BACKOFF_MS;
    if (localError !== undefined) throw localError;
    if (Atomics.load(ctrl, FAILED) !== 0) {
      throw new Error("@chainrule/backend-wasm: a worker failed while running a kernel");
    }
  }

  private awaitDone(total: number): void {
    // Poll first: the worker usually finishes within microseconds of this thread, and a
    // futex wake-up would add tens of µs to every GEMM.
    const until = performance.now() + CALLER_SPIN_MS;
    for (let i = 1; ; i++) {
      const done = Atomics.load(this.ctrl, DONE);
      if (done === total) return;
      if (this.blocking && (i & 255) === 0 && performance.now() > until) Atomics.wait(this.ctrl, DONE, done);
    }
  }

  /** Makes worker `index` (1-based) sleep `ms` on its next wake-up: a descheduled worker, for tests. */
  pauseWorker(index: number, ms: number): void {
    Atomics.store(this.ctrl, PAUSE_BASE + index, ms);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
  }

  /** Asks workers to leave their loop, then terminates them. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
