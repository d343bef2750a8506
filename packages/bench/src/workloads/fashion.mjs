import { medianSecondsPerCall, medianSecondsPerCallAsync } from "../measure.mjs";

// The Fashion-MNIST MLP step: 784-256-128-64-32-10 relu, softmax cross-entropy on logits, Adam 1e-3,
// batch 100. Timing does not depend on pixel values, so random batches stand in for the images; an
// epoch is 600 steps, extrapolated from the median step time.
export const SIZES = [784, 256, 128, 64, 32, 10];
export const BATCH = 100;
export const STEPS_PER_EPOCH = 60000 / BATCH;

export function chainrule(np, ag, optim) {
  const rng = new np.Random(0);
  const layers = SIZES.slice(1).map((out, i) => ({
    w: new ag.Variable(rng.normal([SIZES[i], out], 0, Math.sqrt(2 / SIZES[i]), "float32")),
    b: new ag.Variable(np.zeros([out])),
  }));
  const params = layers.flatMap((l) => [l.w, l.b]);
  const opt = new optim.Adam(params, { lr: 1e-3 });
  const x = rng.uniform([BATCH, 784], 0, 1, "float32");
  const labels = rng.randint(0, 10, [BATCH]);
  const t = np.oneHot(labels, 10);
  const step = () =>
    opt.minimize(() => {
      let h = x;
      layers.forEach((l, i) => {
        h = np.matmul(h, l.w).add(l.b);
        if (i < layers.length - 1) h = np.relu(h);
      });
      return np.mean(np.sum(np.logSoftmax(h).mul(t), -1).neg());
    });
  return medianSecondsPerCall(step, { iters: 10, trials: 5, warmup: 5 }) * STEPS_PER_EPOCH;
}

export async function tfjs(tf) {
  const layers = SIZES.slice(1).map((out, i) => ({
    w: tf.variable(tf.randomNormal([SIZES[i], out], 0, Math.sqrt(2 / SIZES[i]), "float32", i)),
    b: tf.variable(tf.zeros([out])),
  }));
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, 784], 0, 1, "float32", 3);
  const t = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32", 4), 10);
  const step = () => {
    const loss = opt.minimize(() => {
      let h = x;
      layers.forEach((l, i) => {
        h = tf.matMul(h, l.w).add(l.b);
        if (i < layers.length - 1) h = tf.relu(h);
      });
      return tf.losses.softmaxCrossEntropy(t, h);
    }, true);
    loss.dataSync();
    loss.dispose();
  };
  return (await medianSecondsPerCallAsync(step, { iters: 5, trials: 3, warmup: 3 })) * STEPS_PER_EPOCH;
}
