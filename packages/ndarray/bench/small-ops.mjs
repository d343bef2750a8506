// Per-op overhead of small elementwise ops and reductions (µs per call), through the built package.
// Run `pnpm --filter @chainrule/ndarray build` first. Usage: node packages/ndarray/bench/small-ops.mjs
import * as np from "../dist/index.js";

const a = np.array([
  [1, 2, 3, 4],
  [5, 6, 7, 8],
]);
const b = np.array([
  [8, 7, 6, 5],
  [4, 3, 2, 1],
]);
const row = np.array([1, 2, 3, 4]);
const at = np.transpose(np.reshape(a, [4, 2]));

const cases = {
  "add(a, b)        [2,4]": () => np.add(a, b),
  "mul(a, 2)        scalar": () => np.mul(a, 2),
  "add(a, row)      broadcast": () => np.add(a, row),
  "add(aT, b)       strided": () => np.add(at, b),
  "exp(a)": () => np.exp(a),
  "neg(aT)          strided": () => np.neg(at),
  "gt(a, 3)": () => np.gt(a, 3),
  "sum(a)": () => np.sum(a),
  "sum(a, 0)": () => np.sum(a, 0),
  "max(a, 1, true)": () => np.max(a, 1, true),
  "reshape(a, [8])": () => np.reshape(a, [8]),
  "transpose(a)": () => np.transpose(a),
  "matmul 4x4": (() => {
    const m = np.ones([4, 4]);
    return () => np.matmul(m, m);
  })(),
};

const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
console.log("op                          µs/call (median of 7 × 200k calls)");
for (const [name, fn] of Object.entries(cases)) {
  for (let i = 0; i < 50_000; i++) fn();
  const runs = [];
  for (let r = 0; r < 7; r++) {
    const n = 200_000;
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    runs.push(((performance.now() - t) * 1000) / n);
  }
  console.log(`${name.padEnd(28)}${median(runs).toFixed(3).padStart(8)}`);
}
