// Throughput of the reference backend's matmul kernel, against a naive i-k-j loop.
// Run `pnpm --filter @chainrule/ndarray build` first: this imports the built package.
// Usage: node packages/ndarray/bench/matmul.mjs [sizes...]   (default 128 256 512)
import { Random, matmul } from "../dist/index.js";

const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(128, 256, 512);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/**
 * Median GFLOP/s of `fn` after warm-up, over enough repetitions to fill ~1 s: by wall-clock time,
 * and by this process's CPU time (steadier on a shared, loaded machine).
 */
function measure(fn, n) {
  const flops = 2 * n ** 3;
  for (let i = 0; i < 3; i++) fn();
  const t0 = performance.now();
  fn();
  const once = Math.max(performance.now() - t0, 0.01);
  const reps = Math.max(5, Math.min(50, Math.round(1000 / once)));
  const wall = [];
  const cpu = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    fn();
    const dc = process.cpuUsage(c);
    wall.push(flops / ((performance.now() - t) * 1e6));
    cpu.push(flops / (Math.max(dc.user + dc.system, 1) * 1e3));
  }
  return { wall: median(wall), cpu: median(cpu) };
}

function naive(a, b, n) {
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < n; p++) {
      const aip = a[i * n + p];
      for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
    }
  return c;
}

const rng = new Random(0);
console.log("float32 matmul, median GFLOP/s (wall clock / CPU time)");
console.log("    n        blocked    naive i-k-j");
const fmt = ({ wall, cpu }) => `${wall.toFixed(2).padStart(6)} /${cpu.toFixed(2).padStart(5)}`;
for (const n of sizes) {
  const a = rng.normal([n, n]);
  const b = rng.normal([n, n]);
  const blocked = measure(() => matmul(a, b), n);
  const ad = a.dataSync();
  const bd = b.dataSync();
  const ref = measure(() => naive(ad, bd, n), n);
  console.log(`${String(n).padStart(5)}  ${fmt(blocked)}  ${fmt(ref)}`);
}
