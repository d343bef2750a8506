import { afterAll, describe, expect, it } from "vitest";
import {
  backendInfo,
  DEFAULT_THREAD_MIN_FLOPS,
  gemmBatched,
  initBackend,
  initThreads,
  shutdownThreads,
  threadCount,
  threadStats,
} from "./index";
import { plan, tile } from "./gemm-split";
import { contentionForTest, pauseWorkerForTest, stallWorkerForTest } from "./threads/index";
import { SplitPolicy } from "./threads/policy";
import { CONTENDED_BACKOFF_MS, MAX_BACKOFF_MS, MAX_UNITS } from "./threads/protocol";
import { maxRelError, randomArray } from "./test-helpers";
import type { Dtype } from "./dtype";

type Case = [Dtype, boolean, boolean, number, number, number, number];

function run(dtype: Dtype, transA: boolean, transB: boolean, m: number, n: number, k: number, batch: number) {
  const ctor = dtype === "float32" ? Float32Array : Float64Array;
  const A = randomArray(ctor, batch * m * k, 1);
  const B = randomArray(ctor, batch * k * n, 2);
  const C = randomArray(ctor, batch * m * n, 3);
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  gemmBatched(
    dtype,
    transA,
    transB,
    m,
    n,
    k,
    1.5,
    A,
    0,
    lda,
    B,
    0,
    ldb,
    0.5,
    C,
    0,
    n,
    batch,
    m * k,
    k * n,
    m * n,
  );
  return C;
}

/** The same product as a float64 triple loop sharing no code with the kernel. */
function naive(
  dtype: Dtype,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  batch: number,
) {
  const ctor = dtype === "float32" ? Float32Array : Float64Array;
  const A = randomArray(ctor, batch * m * k, 1);
  const B = randomArray(ctor, batch * k * n, 2);
  const C = Float64Array.from(randomArray(ctor, batch * m * n, 3));
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const a = transA ? A[t * m * k + p * m + i]! : A[t * m * k + i * k + p]!;
          const b = transB ? B[t * k * n + j * k + p]! : B[t * k * n + p * n + j]!;
          s += a * b;
        }
        C[t * m * n + i * n + j] = 1.5 * s + 0.5 * C[t * m * n + i * n + j]!;
      }
    }
  }
  return C;
}

// Units of rows (m ≥ n), of columns (n > m) and of batch items, odd sizes, both transposes, k over one
// k block (KC = 384) so units accumulate into C across blocks.
const cases: Case[] = [
  ["float32", false, false, 200, 120, 150, 1], // rows
  ["float32", true, true, 37, 260, 140, 1], // columns, odd sizes
  ["float32", false, true, 301, 50, 800, 1], // rows, three k blocks
  ["float32", true, false, 20, 700, 390, 1], // columns, two k blocks
  ["float64", false, true, 150, 150, 150, 1],
  ["float64", true, false, 33, 265, 70, 1],
  ["float32", false, false, 64, 64, 64, 6], // batch items
  ["float64", true, false, 33, 65, 70, 3],
];

describe("unit plan", () => {
  it("cuts on whole micro-tiles, covers the product and packs the smaller operand", () => {
    for (const [m, n, k] of [
      [1024, 1024, 1024],
      [78400, 32, 9],
      [288, 64, 19600],
      [100, 3136, 128],
      [9, 32, 78400],
    ] as const) {
      const p = plan(m, n, k, 1, 2, [3, 12])!;
      expect(p.mode).toBe(m >= n ? 0 : 1);
      const [extent, multiple] = p.mode === 0 ? [m, 3] : [n, 12];
      expect(p.unit % multiple).toBe(0);
      expect(p.units).toBe(Math.ceil(extent / p.unit));
      expect(p.units).toBeGreaterThanOrEqual(2);
      expect(p.units).toBeLessThanOrEqual(MAX_UNITS);
    }
    expect(plan(8, 8, 8, 1, 2, [4, 8])).toBeUndefined(); // one unit: stays on one thread
    expect(plan(64, 64, 64, 6, 2, [4, 8])).toEqual({ mode: 2, unit: 1, units: 6 });
    expect(plan(100, 100, 100, 1, 1, [4, 8])).toBeUndefined();
  });
});

describe.each([false, true])("threaded gemm (relaxed SIMD: %s)", (relaxed) => {
  afterAll(async () => {
    await shutdownThreads();
    await initBackend({ relaxedSimd: false });
  });

  it("gives results bit-identical to one thread, and close to a float64 loop", async () => {
    await shutdownThreads();
    await initBackend({ relaxedSimd: relaxed });
    expect(backendInfo().relaxedSimd).toBe(relaxed);
    const single = cases.map((c) => run(...c));
    cases.forEach((c, i) => {
      const tol = c[0] === "float32" ? 1e-4 : 1e-12;
      expect(maxRelError(single[i]!, naive(...c), 1).worst).toBeLessThan(tol);
    });
    expect(await initThreads({ threads: 2, minFlops: 0 })).toBe(2);
    for (let round = 0; round < 3; round++) {
      cases.forEach((c, i) => expect(Array.from(run(...c))).toEqual(Array.from(single[i]!)));
    }
  });
});

describe("thread pool", () => {
  afterAll(async () => {
    await shutdownThreads();
  });

  it("starts two threads on shared memory without keeping the process alive", async () => {
    await shutdownThreads();
    const handles = () =>
      process.getActiveResourcesInfo().filter((r) => r === "MessagePort" || r === "Worker");
    const before = handles().length;
    expect(await initThreads({ threads: 2, minFlops: 0 })).toBe(2);
    expect(handles().length).toBe(before); // the worker and its port are unref'd
    expect(threadCount()).toBe(2);
    expect(await initThreads({ threads: 2, minFlops: 0 })).toBe(2); // idempotent
  });

  it("does not wait for a worker that is not running: the caller takes every unit", async () => {
    await initThreads({ threads: 2, minFlops: 0 });
    const expected = naive(...cases[0]!);
    const PAUSE_MS = 3000;
    pauseWorkerForTest(1, PAUSE_MS);
    await new Promise((r) => setTimeout(r, 50)); // let the worker take the pause
    const before = threadStats();
    const t0 = performance.now();
    const got = run(...cases[0]!);
    const elapsed = performance.now() - t0;
    const after = threadStats();
    expect(after.jobs).toBe(before.jobs + 1);
    expect(after.workerUnits).toBe(before.workerUnits); // the sleeping worker took none
    expect(elapsed).toBeLessThan(PAUSE_MS / 2); // and the call did not wait for it
    expect(maxRelError(got, expected, 1).worst).toBeLessThan(1e-4);
  });

  it("keeps working across many dispatches, and the worker takes units again after its pause", async () => {
    const single = run(...cases[6]!);
    const start = threadStats().workerUnits;
    const deadline = performance.now() + 20_000;
    let rounds = 0;
    while (rounds < 50 || (threadStats().workerUnits === start && performance.now() < deadline)) {
      const threaded = run(...cases[6]!);
      expect(threaded[17]).toBe(single[17]);
      rounds++;
      if (rounds % 50 === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(threadStats().workerUnits).toBeGreaterThan(start);
  });

  it("keeps GEMMs on the calling thread after a worker stalls inside a unit, with the same bits", async () => {
    // The default threshold (minFlops 0 means "always split", contention or not); this product is far above it.
    expect(await initThreads({ threads: 2, minFlops: DEFAULT_THREAD_MIN_FLOPS })).toBe(2);
    const single = run(...cases[2]!);
    const STALL_MS = 400;
    stallWorkerForTest(1, STALL_MS);
    // Run until the worker has claimed a unit (and slept inside it): that job waited for it.
    const start = threadStats().workerUnits;
    const deadline = performance.now() + 20_000;
    while (threadStats().workerUnits === start && performance.now() < deadline) {
      expect(Array.from(run(...cases[2]!))).toEqual(Array.from(single));
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(threadStats().workerUnits).toBeGreaterThan(start);
    // The stalled job set a back-off (it only shrinks after clean split jobs, and none ran since).
    expect(contentionForTest().backoffMs).toBeGreaterThanOrEqual(CONTENDED_BACKOFF_MS);
    const jobs = threadStats().jobs;
    const stillContended = contentionForTest().contended; // false only if this thread lost ≥ 100 ms here
    expect(Array.from(run(...cases[2]!))).toEqual(Array.from(single));
    if (stillContended) expect(threadStats().jobs).toBe(jobs); // not split: the calling thread alone
  });

  it("shuts down and falls back to one thread", async () => {
    const single = run(...cases[0]!);
    await shutdownThreads();
    expect(threadCount()).toBe(1);
    expect(Array.from(run(...cases[0]!))).toEqual(Array.from(single));
    expect(await initThreads({ threads: 1 })).toBe(1);
  });
});

describe("the split's fallback policy", () => {
  const at = (t0: number) => {
    let now = t0;
    return { clock: () => now, advance: (ms: number) => (now += ms) };
  };

  it("backs off after a job that waited for a stalled worker, and not after one that did not", () => {
    const t = at(1000);
    const p = new SplitPolicy(t.clock);
    p.record(2, 0.1); // the worker finished with the caller
    expect(p.contended).toBe(false);
    p.record(2, 5); // waited 5 ms after 2 ms of its own work
    expect(p.contended).toBe(true);
    t.advance(CONTENDED_BACKOFF_MS - 1);
    expect(p.contended).toBe(true);
    t.advance(2);
    expect(p.contended).toBe(false);
  });

  it("doubles the back-off while stalls keep coming, up to the maximum, and relaxes after clean jobs", () => {
    const t = at(0);
    const p = new SplitPolicy(t.clock);
    const backoffs: number[] = [];
    for (let i = 0; i < 8; i++) {
      p.record(1, 10);
      backoffs.push(p.currentBackoffMs);
      t.advance(p.currentBackoffMs); // the probe after the back-off stalls again
    }
    expect(backoffs).toEqual([100, 200, 400, 800, 1600, 3200, 3200, 3200]);
    expect(MAX_BACKOFF_MS).toBe(3200);
    for (let i = 0; i < 5; i++) p.record(1, 0);
    expect(p.currentBackoffMs).toBe(100);
    p.record(1, 0);
    expect(p.currentBackoffMs).toBe(0); // fully relaxed: the next stall starts from the base again
    expect(p.contended).toBe(false);
  });

  it("under sustained contention loses at most one stall per maximum back-off", () => {
    // A model of the worst case: every split job stalls for 20 ms. Count split jobs over one minute of GEMMs.
    const t = at(0);
    const p = new SplitPolicy(t.clock);
    let split = 0;
    while (t.clock() < 60_000) {
      if (p.contended)
        t.advance(1); // a 1 ms GEMM on the calling thread
      else {
        split++;
        p.record(1, 20);
        t.advance(21);
      }
    }
    // 100 + 200 + … + 3200 ms of ramp, then one stall every 3.2 s: 6 + ~18 jobs, ≈ 0.8% of the minute stalled.
    expect(split).toBeLessThanOrEqual(6 + Math.ceil(60_000 / MAX_BACKOFF_MS));
    expect((split * 20) / 60_000).toBeLessThan(0.01);
  });
});
