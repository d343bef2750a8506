// Finds where 2 threads start beating 1 for square float32/float64 GEMM (used to pick
// DEFAULT_THREAD_MIN_FLOPS). Run on the built package: node bench/threshold.mjs
import { gemm, initThreads, shutdownThreads } from "../dist/index.js";

const sizes = [48, 64, 80, 96, 112, 128, 160, 192, 256];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  return s[s.length >> 1];
}

if ((await initThreads({ threads: 2 })) < 2) throw new Error("threads unavailable");
console.log("    n   dtype   1 thread µs  2 threads µs  speedup");
for (const dtype of ["float32", "float64"]) {
  const Ctor = dtype === "float32" ? Float32Array : Float64Array;
  for (const n of sizes) {
    const a = Ctor.from({ length: n * n }, () => Math.random());
    const c = new Ctor(n * n);
    const run = () => gemm(dtype, false, false, n, n, n, 1, a, 0, n, a, 0, n, 0, c, 0, n);
    const reps = Math.max(5, Math.round(3e7 / n ** 3));
    const times = { 1: [], 2: [] };
    for (let round = -2; round < ROUNDS; round++) {
      for (const t of [1, 2]) {
        await initThreads({ threads: 2, minFlops: t === 2 ? 0 : Infinity });
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) run();
        if (round >= 0) times[t].push(((performance.now() - t0) / reps) * 1000);
      }
    }
    const one = median(times[1]);
    const two = median(times[2]);
    console.log(
      `${String(n).padStart(5)} ${dtype.padStart(8)} ${one.toFixed(1).padStart(13)} ${two.toFixed(1).padStart(13)} ${(one / two).toFixed(2).padStart(8)}`,
    );
  }
}
await shutdownThreads();
