import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gemmBatched, initThreads, shutdownThreads, threadCount } from "./index";
import { randomArray } from "./test-helpers";
import type { Dtype } from "./dtype";

// Threaded results must equal single-threaded ones bit for bit: each C element is
// computed by exactly one thread with the same blocking, whatever the split.
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

const cases: [Dtype, boolean, boolean, number, number, number, number][] = [
  ["float32", false, false, 200, 120, 150, 1], // split M
  ["float32", true, true, 37, 260, 140, 1], // split N (n > m), odd sizes
  ["float64", false, true, 150, 150, 150, 1],
  ["float32", false, false, 64, 64, 64, 6], // split the batch
  ["float64", true, false, 33, 65, 70, 3],
];

describe("threaded gemm", () => {
  let single: Float32Array[] | Float64Array[];

  beforeAll(async () => {
    await shutdownThreads();
    single = cases.map((c) => run(...c)) as Float32Array[];
  });

  afterAll(async () => {
    await shutdownThreads();
  });

  it("starts two threads on shared memory without keeping the process alive", async () => {
    const handles = () =>
      process.getActiveResourcesInfo().filter((r) => r === "MessagePort" || r === "Worker");
    const before = handles().length;
    expect(await initThreads({ threads: 2, minFlops: 0 })).toBe(2);
    expect(handles().length).toBe(before); // the worker and its port are unref'd
    expect(threadCount()).toBe(2);
    expect(await initThreads({ threads: 2, minFlops: 0 })).toBe(2); // idempotent
  });

  it("gives results identical to the single-threaded path", () => {
    cases.forEach((c, i) => {
      const threaded = run(...c);
      expect(Array.from(threaded)).toEqual(Array.from(single[i]!));
    });
  });

  it("keeps working across many dispatches", () => {
    for (let r = 0; r < 50; r++) {
      const threaded = run(...cases[3]!);
      expect(threaded[17]).toBe(single[3]![17]);
    }
  });

  it("shuts down and falls back to one thread", async () => {
    await shutdownThreads();
    expect(threadCount()).toBe(1);
    expect(Array.from(run(...cases[0]!))).toEqual(Array.from(single[0]!));
    expect(await initThreads({ threads: 1 })).toBe(1);
  });
});
