import { itersFor, medianSecondsPerCall, medianSecondsPerCallAsync } from "../measure.mjs";

export const sizes = [128, 256, 512, 1024];
const gflops = (n, s) => (2 * n ** 3) / s / 1e9;

export function chainrule(np, n) {
  const rng = new np.Random(1);
  const a = rng.uniform([n, n], -1, 1, "float32");
  const b = rng.uniform([n, n], -1, 1, "float32");
  const f = () => np.matmul(a, b);
  const iters = itersFor(f, 0.4);
  return gflops(n, medianSecondsPerCall(f, { iters, trials: n >= 1024 ? 3 : 5, warmup: 1 }));
}

export async function tfjs(tf, n) {
  const a = tf.randomUniform([n, n], -1, 1, "float32", 1);
  const b = tf.randomUniform([n, n], -1, 1, "float32", 2);
  const f = () => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  };
  const iters = itersFor(f, 0.4);
  const s = await medianSecondsPerCallAsync(f, { iters, trials: n >= 1024 ? 3 : 5, warmup: 1 });
  a.dispose();
  b.dispose();
  return gflops(n, s);
}

/** GFLOP/s of a 512×512 product on the wasm backend beside the f32x4 multiply-add peak, interleaved. */
export function versusPeak(np, wasm, n = 512, rounds = 5) {
  const peaks = [];
  const products = [];
  for (let r = 0; r < rounds; r++) {
    // The best round: a ceiling is a maximum, and other processes only ever pull rounds down.
    peaks.push(wasm.measureSimdPeak({ rounds: 3, roundMs: 30 }).best);
    products.push(chainrule(np, n));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return { peak: Math.max(...peaks), matmul: median(products) };
}
