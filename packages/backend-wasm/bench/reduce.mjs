// Where the wasm reductions start beating the reference kernels (used to pick WASM_REDUCE_MIN_SIZE): float32
// [rows, cols] sums over the leading axis (bias gradients), the last axis and everything, and argmax over the
// last axis, copies into wasm memory included. CPU time per call, medians of interleaved rounds.
// Run on the built package: node bench/reduce.mjs
import * as np from "@chainrule/ndarray";
import { reduceInWasm } from "../dist/index.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const cases = [
  ["sum axis 0", "sum", [0]],
  ["sum axis 1", "sum", [1]],
  ["sum all", "sum", [0, 1]],
  ["max axis 0", "max", [0]],
  ["max axis 1", "max", [1]],
  ["argmax axis 0", "argmax", [0]],
  ["argmax axis 1", "argmax", [1]],
];
const shapes = [
  [16, 64],
  [32, 128],
  [64, 128],
  [100, 256],
  [256, 256],
  [1000, 10],
  [4000, 10],
];

console.log("shape        case            elements   reference µs   wasm µs   ratio");
for (const [rows, cols] of shapes) {
  const x = new np.Random(1).uniform([rows, cols], -1, 1, "float32");
  for (const [name, op, axes] of cases) {
    const arg = op === "argmax";
    const shape = [rows, cols].map((d, i) => (axes.includes(i) ? 1 : d));
    const dtype = arg ? "int32" : "float32";
    const out = new np.NDArray(
      np.allocate(dtype, np.sizeOf(shape)),
      shape,
      dtype,
      np.contiguousStrides(shape),
      0,
    );
    const params = arg ? { axis: axes[0] } : { axes };
    const reference = () => np.jsBackend.kernels[op]([x], params, out);
    const wasm = () => reduceInWasm(op, x, axes, out);
    const reps = Math.max(20, Math.round(2e6 / (rows * cols)));
    const times = { reference: [], wasm: [] };
    for (let round = -2; round < ROUNDS; round++) {
      for (const [k, f] of [
        ["reference", reference],
        ["wasm", wasm],
      ]) {
        const t0 = cpuMicros();
        for (let i = 0; i < reps; i++) f();
        if (round >= 0) times[k].push((cpuMicros() - t0) / reps);
      }
    }
    const r = median(times.reference);
    const w = median(times.wasm);
    console.log(
      `${`[${rows}, ${cols}]`.padEnd(12)} ${name.padEnd(15)} ${String(rows * cols).padStart(8)} ${r.toFixed(2).padStart(14)} ${w.toFixed(2).padStart(9)} ${(r / w).toFixed(2).padStart(7)}`,
    );
  }
}
