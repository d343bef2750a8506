import { medianSecondsPerCallAsync } from "../measure.mjs";
import { BATCH, SIZES } from "./fashion.mjs";

// chainrule's WebGPU backend against TF.js's own (@tensorflow/tfjs-backend-webgpu) on the same Dawn
// adapter. Each timed call ends with a read of the result (`await data()`), so queued GPU work is counted.
// On a machine without a GPU the adapter is SwiftShader, a CPU emulation: its figures say nothing about
// GPU speed, and an epoch there takes hours, so the MLP row is per step.

export const MATMUL_SIZES = [128, 256];
const gflops = (n, s) => (2 * n ** 3) / s / 1e9;
const timing = { iters: 1, trials: 3, warmup: 1 };

/** Dawn as `navigator.gpu` for TF.js (which looks there), with the WebGPU constants it reads as globals. */
export async function installDawn() {
  process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";
  const { create, globals } = await import("webgpu");
  Object.assign(globalThis, globals);
  globalThis.navigator ??= {};
  globalThis.navigator.gpu ??= create([]);
  return globalThis.navigator.gpu;
}

export async function chainruleMatmul(np, n) {
  const rng = new np.Random(1);
  const a = np.add(rng.uniform([n, n], -1, 1, "float32"), 0); // on the device
  const b = np.add(rng.uniform([n, n], -1, 1, "float32"), 0);
  return gflops(n, await medianSecondsPerCallAsync(() => np.matmul(a, b).data(), timing));
}

export async function tfjsMatmul(tf, n) {
  const a = tf.randomUniform([n, n], -1, 1, "float32", 1);
  const b = tf.randomUniform([n, n], -1, 1, "float32", 2);
  const f = async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  };
  const s = await medianSecondsPerCallAsync(f, timing);
  a.dispose();
  b.dispose();
  return gflops(n, s);
}

/** One eager Fashion-MNIST MLP Adam step (bench's fashion workload) with weights on the GPU, in seconds. */
export async function chainruleFashionStep(np, ag, optim) {
  const rng = new np.Random(0);
  const layers = SIZES.slice(1).map((out, i) => ({
    w: new ag.Variable(rng.normal([SIZES[i], out], 0, Math.sqrt(2 / SIZES[i]), "float32")),
    b: new ag.Variable(np.zeros([out], "float32")),
  }));
  const opt = new optim.Adam(
    layers.flatMap((l) => [l.w, l.b]),
    { lr: 1e-3 },
  );
  const x = np.add(rng.uniform([BATCH, 784], 0, 1, "float32"), 0);
  const t = np.add(np.oneHot(rng.randint(0, 10, [BATCH]), 10), 0);
  const step = () =>
    opt
      .minimize(() => {
        let h = x;
        layers.forEach((l, i) => {
          h = np.matmul(h, l.w).add(l.b);
          if (i < layers.length - 1) h = np.relu(h);
        });
        return np.mean(np.sum(np.logSoftmax(h).mul(t), -1).neg());
      })
      .data();
  return medianSecondsPerCallAsync(step, timing);
}

export async function tfjsFashionStep(tf) {
  const layers = SIZES.slice(1).map((out, i) => ({
    w: tf.variable(tf.randomNormal([SIZES[i], out], 0, Math.sqrt(2 / SIZES[i]), "float32", i)),
    b: tf.variable(tf.zeros([out])),
  }));
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, 784], 0, 1, "float32", 3);
  const t = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32", 4), 10);
  const step = async () => {
    const loss = opt.minimize(() => {
      let h = x;
      layers.forEach((l, i) => {
        h = tf.matMul(h, l.w).add(l.b);
        if (i < layers.length - 1) h = tf.relu(h);
      });
      return tf.losses.softmaxCrossEntropy(t, h);
    }, true);
    await loss.data();
    loss.dispose();
  };
  return medianSecondsPerCallAsync(step, timing);
}

/** One eager step of bench's CNN workload (layer-conv's fashionCnn, Adam, batch 100) on the GPU, in seconds. */
export async function chainruleCnnStep(np, optim, nn, conv) {
  const model = conv.fashionCnn(0);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const rng = new np.Random(1);
  const x = np.add(rng.uniform([BATCH, 28, 28], 0, 1, "float32"), 0);
  const y = rng.randint(0, 10, [BATCH]);
  const step = () => opt.minimize(() => nn.sparseSoftmaxCrossEntropy(model.call(x), y)).data();
  return medianSecondsPerCallAsync(step, timing);
}

/** The same step traced once by @chainrule/graph and replayed on device-resident planned buffers. */
export async function chainruleCnnTracedStep(np, optim, nn, conv, graph) {
  const model = conv.fashionCnn(0);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const rng = new np.Random(1);
  const x = np.add(rng.uniform([BATCH, 28, 28], 0, 1, "float32"), 0);
  const y = rng.randint(0, 10, [BATCH]);
  const run = graph.trace(
    (xi, yi) => {
      const loss = nn.sparseSoftmaxCrossEntropy(model.call(xi), yi);
      return { loss, train: graph.minimize(loss, opt) };
    },
    [graph.placeholder([BATCH, 28, 28], "float32", "x"), graph.placeholder([BATCH], y.dtype, "y")],
  );
  return medianSecondsPerCallAsync(() => run(x, y).loss.data(), timing);
}

export async function tfjsCnnStep(tf) {
  const v = (shape, seed) => tf.variable(tf.randomNormal(shape, 0, 0.05, "float32", seed));
  const [w1, w2, w3, w4] = [
    v([3, 3, 1, 32], 1),
    v([3, 3, 32, 64], 2),
    v([7 * 7 * 64, 128], 3),
    v([128, 10], 4),
  ];
  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, "float32", 5);
  const t = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32", 6), 10);
  const opt = tf.train.adam(1e-3);
  const step = async () => {
    const loss = opt.minimize(() => {
      let h = tf.maxPool(tf.relu(tf.conv2d(x, w1, 1, "same")), 2, 2, "valid");
      h = tf.maxPool(tf.relu(tf.conv2d(h, w2, 1, "same")), 2, 2, "valid");
      h = tf.relu(tf.matMul(tf.reshape(h, [BATCH, -1]), w3));
      return tf.losses.softmaxCrossEntropy(t, tf.matMul(h, w4));
    }, true);
    await loss.data();
    loss.dispose();
  };
  return medianSecondsPerCallAsync(step, timing);
}
