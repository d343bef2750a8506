// Where running a fused elementwise group in wasm starts beating the graph's generated JS loop (used to pick
// WASM_GROUP_MIN_SIZE): traced float32 groups on the wasm backend with and without compileElementwise, copies
// into wasm memory included. CPU time per call of the traced function, medians of interleaved rounds.
// Run on the built packages: node bench/group.mjs
import { placeholder, trace } from "@chainrule/graph";
import * as np from "@chainrule/ndarray";
import { createBackend } from "../dist/index.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const groups = {
  "relu′: gt → cast → mul": (x, g) => np.mul(g, np.cast(np.gt(x, 0), "float32")),
  "bias + relu": (x, _g, b) => np.relu(np.add(x, b)),
  "axpy-like: mul → sub": (x, g) => np.sub(x, np.mul(g, 0.01)),
  "6 ops": (x, g, b) => np.maximum(np.mul(np.add(x, b), np.sub(g, 0.5)), np.div(g, 3)).abs(),
};

const wasm = await createBackend();
const plain = { ...wasm, name: "wasm-js-loops", compileElementwise: undefined };
console.log("group                     elements   JS loop µs   wasm µs   ratio");
for (const [name, f] of Object.entries(groups)) {
  for (const [rows, cols] of [
    [8, 128],
    [16, 128],
    [32, 128],
    [64, 128],
    [100, 256],
    [256, 256],
  ]) {
    const r = new np.Random(2);
    const x = r.uniform([rows, cols], -1, 1, "float32");
    const g = r.uniform([rows, cols], -1, 1, "float32");
    const b = r.uniform([cols], -1, 1, "float32");
    const fns = {};
    for (const [k, backend] of [
      ["js", plain],
      ["wasm", wasm],
    ]) {
      np.setBackend(backend);
      const t = trace(
        (u, v) => f(u, v, b),
        [placeholder([rows, cols], "float32"), placeholder([rows, cols], "float32")],
      );
      t(x, g);
      fns[k] = { backend, run: () => t(x, g) };
    }
    const reps = Math.max(20, Math.round(4e6 / (rows * cols)));
    const times = { js: [], wasm: [] };
    for (let round = -2; round < ROUNDS; round++) {
      for (const k of ["js", "wasm"]) {
        np.setBackend(fns[k].backend);
        const t0 = cpuMicros();
        for (let i = 0; i < reps; i++) fns[k].run();
        if (round >= 0) times[k].push((cpuMicros() - t0) / reps);
      }
    }
    const j = median(times.js);
    const w = median(times.wasm);
    console.log(
      `${name.padEnd(25)} ${String(rows * cols).padStart(8)} ${j.toFixed(2).padStart(12)} ${w.toFixed(2).padStart(9)} ${(j / w).toFixed(2).padStart(7)}`,
    );
  }
}
