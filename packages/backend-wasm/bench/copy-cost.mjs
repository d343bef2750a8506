// How much of the Fashion-MNIST CNN step's GEMM time is copying operands into wasm memory and results out
// (what keeping activations, parameters and optimizer state resident in wasm memory would save): the public
// `gemm` (copies included) against the same kernel on operands already in wasm memory, for the 11 products
// of one training step (batch 100), and the Adam update's copies. Runs on the TypeScript sources:
//   pnpm exec tsx --conditions @chainrule/source packages/backend-wasm/bench/copy-cost.mjs
// CPU milliseconds of this single-threaded process, median of rounds.
import { gemm, initBackend } from "../src/index.ts";
import { freshArena } from "../src/wasm/runtime.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
// [name, transA, transB, m, n, k]
const products = [
  ["conv1 forward", false, false, 78400, 32, 9],
  ["conv1 dW", true, false, 9, 32, 78400],
  ["conv2 forward", false, false, 19600, 64, 288],
  ["conv2 dW", true, false, 288, 64, 19600],
  ["conv2 dCols", false, true, 19600, 288, 64],
  ["dense1 forward", false, false, 100, 128, 3136],
  ["dense1 dW", true, false, 3136, 128, 100],
  ["dense1 dX", false, true, 100, 3136, 128],
  ["dense2 forward", false, false, 100, 10, 128],
  ["dense2 dW", true, false, 128, 10, 100],
  ["dense2 dX", false, true, 100, 128, 10],
];
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const random = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);

await initBackend({ relaxedSimd: true });
let totalPublic = 0;
let totalResident = 0;
let totalBytes = 0;
console.log(
  "| product | gemm with copies ms | resident operands ms | copies ms | MB copied |\n|---|---:|---:|---:|---:|",
);
for (const [name, tA, tB, m, n, k] of products) {
  const A = random(m * k);
  const B = random(k * n);
  const C = new Float32Array(m * n);
  const lda = tA ? m : k;
  const ldb = tB ? k : n;
  const viaPublic = () => gemm("float32", tA, tB, m, n, k, 1, A, 0, lda, B, 0, ldb, 0, C, 0, n);
  // The same kernel call gemm makes, on operands placed in wasm memory once.
  const arena = freshArena();
  const ex = arena.rt.exports;
  const pa = arena.alloc(4 * A.length);
  const pb = arena.alloc(4 * B.length);
  const pc = arena.alloc(4 * C.length);
  const scratch = arena.alloc(ex.gemmScratchF32(m, n, k));
  const resident = () =>
    ex.gemmBatchedF32(+tA, +tB, m, n, k, 1, pa, lda, pb, ldb, 0, pc, n, 1, 0, 0, 0, scratch);
  const t = { viaPublic: [], resident: [] };
  for (let r = 0; r < ROUNDS + 1; r++) {
    for (const [key, f] of [
      ["viaPublic", viaPublic],
      ["resident", resident],
    ]) {
      const t0 = cpuMs();
      f();
      if (r > 0) t[key].push(cpuMs() - t0);
    }
  }
  const [p, q] = [median(t.viaPublic), median(t.resident)];
  const mb = (4 * (A.length + B.length + C.length)) / 1e6;
  totalPublic += p;
  totalResident += q;
  totalBytes += mb;
  console.log(`| ${name} | ${p.toFixed(2)} | ${q.toFixed(2)} | ${(p - q).toFixed(2)} | ${mb.toFixed(1)} |`);
}
console.log(
  `| **step** | **${totalPublic.toFixed(1)}** | **${totalResident.toFixed(1)}** | **${(totalPublic - totalResident).toFixed(1)}** | **${totalBytes.toFixed(0)}** |`,
);
