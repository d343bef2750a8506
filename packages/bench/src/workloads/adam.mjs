import { medianSecondsPerCall, medianSecondsPerCallAsync } from "../measure.mjs";

// One Adam update (lr 1e-3) of the Fashion-MNIST MLP's parameters (784-256-128-64-32-10: 244,522 float32
// values) from fixed gradients: the optimizer alone, as each training step pays it (ms).
export const SHAPES = [[784, 256], [256], [256, 128], [128], [128, 64], [64], [64, 32], [32], [32, 10], [10]];

export function chainrule(np, ag, optim) {
  const rng = new np.Random(0);
  const params = SHAPES.map((s) => new ag.Variable(rng.normal(s, 0, 0.05, "float32")));
  const grads = SHAPES.map((s) => rng.normal(s, 0, 0.01, "float32"));
  const opt = new optim.Adam(params, { lr: 1e-3 });
  return medianSecondsPerCall(() => opt.step(grads), { iters: 20, warmup: 20 }) * 1e3;
}

export async function tfjs(tf) {
  const vars = SHAPES.map((s, i) => tf.variable(tf.randomNormal(s, 0, 0.05, "float32", i)));
  const grads = Object.fromEntries(
    vars.map((v, i) => [v.name, tf.randomNormal(SHAPES[i], 0, 0.01, "float32", 100 + i)]),
  );
  const opt = tf.train.adam(1e-3);
  const step = async () => {
    opt.applyGradients(grads);
    await vars[0].data(); // wait for the update to land
  };
  return (await medianSecondsPerCallAsync(step, { iters: 10, warmup: 10 })) * 1e3;
}
