// A fixed set of workers that share the runtime's wasm memory. The main thread posts
// a job by writing arguments into a shared control block and bumping a sequence number;
// workers sleep in Atomics.wait between jobs, so an idle pool costs no CPU and a
// dispatch costs one futex wake. Jobs are synchronous from the caller's point of view.
import type { Runtime } from "../wasm/runtime";
import {
  ARGS_PER_WORKER,
  CALLER_SPIN_MS,
  CONTENDED_BACKOFF_MS,
  CTRL_INTS_PER_WORKER,
  DONE,
  JOB_EXIT,
  SEQ,
  STATUS,
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

export interface Job {
  kind: number;
  /** The 18 arguments of gemmBatchedF32/F64, in order. */
  args: readonly number[];
}

export class ThreadPool {
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly blocking = canBlock();
  private closed = false;

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
    const ctrl = new SharedArrayBuffer(count * CTRL_INTS_PER_WORKER * 4);
    const args = new SharedArrayBuffer(count * ARGS_PER_WORKER * 8);
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
              worker.post({
                module: rt.module,
                memory: rt.memory,
                ctrl,
                ctrlOffset: i * CTRL_INTS_PER_WORKER,
                args,
                argsOffset: i * ARGS_PER_WORKER,
              });
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

  /** Whether a recent dispatch found a worker without a core of its own. */
  get contended(): boolean {
    return this.backoffUntil > performance.now();
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Runs jobs[i] on worker i while `local` runs on this thread, then waits for all.
   * Blocks the calling thread (spins where Atomics.wait is not allowed).
   */
  run(jobs: readonly Job[], local: () => void): void {
    if (this.closed) throw new Error("thread pool is closed");
    const seqs = jobs.map((job, i) => this.post(i, job));
    const t0 = performance.now();
    let localError: unknown;
    try {
      local();
    } catch (error) {
      localError = error;
    }
    const t1 = performance.now();
    let failed = false;
    seqs.forEach((seq, i) => {
      this.await(i, seq);
      if (this.ctrl[i * CTRL_INTS_PER_WORKER + STATUS] !== 0) failed = true;
    });
    // Equal shares finish together on idle cores. A worker far behind this thread was
    // descheduled (another process holds its core): then threads only add waiting, so
    // callers stay single-threaded for a while (see `contended`).
    const waited = performance.now() - t1;
    if (waited > CALLER_SPIN_MS + 0.5 * (t1 - t0))
      this.backoffUntil = performance.now() + CONTENDED_BACKOFF_MS;
    if (localError !== undefined) throw localError;
    if (failed) throw new Error("@chainrule/backend-wasm: a worker failed while running a kernel");
  }

  private post(worker: number, job: Job): number {
    const a = worker * ARGS_PER_WORKER;
    this.args[a] = job.kind;
    job.args.forEach((value, i) => (this.args[a + 1 + i] = value));
    const c = worker * CTRL_INTS_PER_WORKER;
    const seq = Atomics.add(this.ctrl, c + SEQ, 1) + 1;
    Atomics.notify(this.ctrl, c + SEQ);
    return seq;
  }

  private await(worker: number, seq: number): void {
    const slot = worker * CTRL_INTS_PER_WORKER + DONE;
    // Poll first: the worker usually finishes within microseconds of this thread, and a
    // futex wake-up would add tens of µs to every GEMM.
    const until = performance.now() + CALLER_SPIN_MS;
    for (let i = 1; ; i++) {
      const done = Atomics.load(this.ctrl, slot);
      if (done === seq) return;
      if (this.blocking && (i & 255) === 0 && performance.now() > until) Atomics.wait(this.ctrl, slot, done);
    }
  }

  /** Asks workers to leave their loop, then terminates them. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.workers.forEach((_, i) => this.post(i, { kind: JOB_EXIT, args: [] }));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
