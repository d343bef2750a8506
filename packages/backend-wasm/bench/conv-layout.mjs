// NHWC (what layer-conv uses) against NCHW im2col + GEMM for the Fashion-MNIST CNN's two convolutions
// (batch 100, 3×3 "same"): the forward product, the kernel gradient and, for conv2, the input gradient,
// each with its im2col. Runs on the TypeScript sources:
//   node --import tsx --conditions @chainrule/source packages/backend-wasm/bench/conv-layout.mjs
// CPU milliseconds of this (single-threaded) process per operation, median of rounds, copies into and out
// of wasm memory included as the backend does them. Layouts are interleaved round by round.
import { gemm, gemmBatched, initBackend } from "../src/index.ts";
import { freshArena } from "../src/wasm/runtime.ts";

const N = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const layers = [
  { name: "conv1 28×28×1 → 32", H: 28, W: 28, C: 1, F: 32, inputGrad: false },
  { name: "conv2 14×14×32 → 64", H: 14, W: 14, C: 32, F: 64, inputGrad: true },
];

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const random = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);

/** im2col through the wasm kernel of that layout, copies in and out included. */
function im2col(layout, x, cols, L) {
  const arena = freshArena();
  const ex = arena.rt.exports;
  const geom = arena.alloc(13 * 4);
  const src = arena.alloc(x.byteLength);
  const dst = arena.alloc(cols.byteLength);
  const mem = arena.rt.memory.buffer;
  new Int32Array(mem, geom, 13).set([L.H, L.W, L.C, 3, 3, 1, 1, 1, 1, 1, 1, L.H, L.W]);
  new Float32Array(mem, src, x.length).set(x);
  (layout === "NHWC" ? ex.im2colF32 : ex.im2colNchwF32)(geom, src, dst, N);
  cols.set(new Float32Array(mem, dst, cols.length));
}

function operations(L) {
  const P = L.H * L.W;
  const K = 9 * L.C;
  const x = random(N * P * L.C);
  const w = random(K * L.F);
  const dy = random(N * P * L.F);
  const cols = new Float32Array(N * P * K);
  const y = new Float32Array(N * P * L.F);
  const dw = new Float32Array(K * L.F);
  const dcols = new Float32Array(N * P * K);
  const nhwc = {
    im2col: () => im2col("NHWC", x, cols, L),
    // y[N·P, F] = cols[N·P, K] · w[K, F]
    forward: () => gemm("float32", false, false, N * P, L.F, K, 1, cols, 0, K, w, 0, L.F, 0, y, 0, L.F),
    // dw[K, F] = colsᵀ · dy
    kernelGrad: () => gemm("float32", true, false, K, L.F, N * P, 1, cols, 0, K, dy, 0, L.F, 0, dw, 0, L.F),
    // dcols[N·P, K] = dy · wᵀ
    inputGrad: () => gemm("float32", false, true, N * P, K, L.F, 1, dy, 0, L.F, w, 0, L.F, 0, dcols, 0, K),
  };
  // NCHW: w is [F, K], cols per image [K, P], y per image [F, P].
  const nchw = {
    im2col: () => im2col("NCHW", x, cols, L),
    forward: () =>
      gemmBatched(
        "float32",
        false,
        false,
        L.F,
        P,
        K,
        1,
        w,
        0,
        K,
        cols,
        0,
        P,
        0,
        y,
        0,
        P,
        N,
        0,
        K * P,
        L.F * P,
      ),
    // dw[F, K] = Σ_b dy_b[F, P] · cols_bᵀ: one accumulating product per image.
    kernelGrad: () => {
      for (let b = 0; b < N; b++) {
        gemm(
          "float32",
          false,
          true,
          L.F,
          K,
          P,
          1,
          dy,
          b * L.F * P,
          P,
          cols,
          b * K * P,
          P,
          b ? 1 : 0,
          dw,
          0,
          K,
        );
      }
    },
    // dcols_b[K, P] = wᵀ · dy_b
    inputGrad: () =>
      gemmBatched(
        "float32",
        true,
        false,
        K,
        P,
        L.F,
        1,
        w,
        0,
        K,
        dy,
        0,
        P,
        0,
        dcols,
        0,
        P,
        N,
        0,
        L.F * P,
        K * P,
      ),
  };
  if (!L.inputGrad) {
    delete nhwc.inputGrad;
    delete nchw.inputGrad;
  }
  return { NHWC: nhwc, NCHW: nchw };
}

await initBackend({ relaxedSimd: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`| layer | operation | NHWC ms | NCHW ms | NCHW / NHWC |\n|---|---|---:|---:|---:|`);
for (const L of layers) {
  const ops = operations(L);
  const names = Object.keys(ops.NHWC);
  const times = { NHWC: {}, NCHW: {} };
  for (const layout of ["NHWC", "NCHW"]) for (const op of names) ops[layout][op](); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const layout of ["NHWC", "NCHW"]) {
      for (const op of names) {
        const t0 = cpuMs();
        ops[layout][op]();
        (times[layout][op] ??= []).push(cpuMs() - t0);
      }
    }
  }
  let total = { NHWC: 0, NCHW: 0 };
  for (const op of names) {
    const a = median(times.NHWC[op]);
    const b = median(times.NCHW[op]);
    total.NHWC += a;
    total.NCHW += b;
    console.log(`| ${L.name} | ${op} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)} |`);
  }
  console.log(
    `| ${L.name} | **sum** | **${total.NHWC.toFixed(2)}** | **${total.NCHW.toFixed(2)}** | **${(total.NCHW / total.NHWC).toFixed(2)}** |`,
  );
}
