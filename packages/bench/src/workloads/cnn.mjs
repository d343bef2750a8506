import { medianSecondsPerCall, medianSecondsPerCallAsync } from "../measure.mjs";

// One epoch of the Fashion-MNIST conv net (two Conv+MaxPool blocks, Dense head; Adam, batch 100):
// the median step time on random batches of the real shape, × 600 steps.
const BATCH = 100;
const STEPS_PER_EPOCH = 60000 / BATCH;

export function chainrule(np, optim, nn, conv) {
  const model = conv.fashionCnn(0);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const rng = new np.Random(1);
  const x = rng.uniform([BATCH, 28, 28], 0, 1, "float32");
  const y = rng.randint(0, 10, [BATCH]);
  const step = () => opt.minimize(() => nn.sparseSoftmaxCrossEntropy(model.call(x), y));
  return medianSecondsPerCall(step, { iters: 1, trials: 3, warmup: 1 }) * STEPS_PER_EPOCH;
}

/** The same step traced once by @chainrule/graph and replayed on planned buffers, as the app runs it. */
export function traced(np, optim, nn, conv, graph) {
  const model = conv.fashionCnn(0);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const rng = new np.Random(1);
  const x = rng.uniform([BATCH, 28, 28], 0, 1, "float32");
  const y = rng.randint(0, 10, [BATCH]);
  const run = graph.trace(
    (xi, yi) => {
      const loss = nn.sparseSoftmaxCrossEntropy(model.call(xi), yi);
      return { loss, train: graph.minimize(loss, opt) };
    },
    [graph.placeholder([BATCH, 28, 28], "float32", "x"), graph.placeholder([BATCH], y.dtype, "y")],
  );
  const step = () => run(x, y).loss.item();
  return medianSecondsPerCall(step, { iters: 1, trials: 5, warmup: 2 }) * STEPS_PER_EPOCH;
}

/** The same network with TF.js ops; undefined when the backend cannot train it. */
export async function tfjs(tf) {
  const v = (shape, seed) => tf.variable(tf.randomNormal(shape, 0, 0.05, "float32", seed));
  const w1 = v([3, 3, 1, 32], 1);
  const w2 = v([3, 3, 32, 64], 2);
  const w3 = v([7 * 7 * 64, 128], 3);
  const w4 = v([128, 10], 4);
  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, "float32", 5);
  const t = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32", 6), 10);
  const opt = tf.train.adam(1e-3);
  const step = () => {
    const loss = opt.minimize(() => {
      let h = tf.maxPool(tf.relu(tf.conv2d(x, w1, 1, "same")), 2, 2, "valid");
      h = tf.maxPool(tf.relu(tf.conv2d(h, w2, 1, "same")), 2, 2, "valid");
      h = tf.relu(tf.matMul(tf.reshape(h, [BATCH, -1]), w3));
      return tf.losses.softmaxCrossEntropy(t, tf.matMul(h, w4));
    }, true);
    loss.dataSync();
    loss.dispose();
  };
  try {
    return (await medianSecondsPerCallAsync(step, { iters: 1, trials: 3, warmup: 1 })) * STEPS_PER_EPOCH;
  } catch (e) {
    console.error(`bench: TF.js ${tf.getBackend()} cannot train the CNN: ${e.message.split("\n")[0]}`);
    return undefined;
  }
}
