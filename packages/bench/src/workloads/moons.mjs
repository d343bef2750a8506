import { medianSecondsPerCall } from "../measure.mjs";

const SIZES = [2, 25, 50, 25, 2];

/** Per-sample SGD on the 2-25-50-25-2 sigmoid network with MSE (µs per step). */
export function chainrule(np, ag) {
  const rng = new np.Random(0);
  const layers = SIZES.slice(1).map((out, i) => ({
    w: new ag.Variable(rng.normal([SIZES[i], out], 0, Math.sqrt(1 / SIZES[i]), "float32")),
    b: new ag.Variable(np.zeros([out])),
  }));
  const params = layers.flatMap((l) => [l.w, l.b]);
  const x = rng.uniform([1, 2], -1, 1, "float32");
  const t = np.array([[1, 0]]);
  const step = () => {
    const tape = new ag.GradientTape();
    const loss = tape.record(() => {
      let h = x;
      for (const l of layers) h = np.sigmoid(np.matmul(h, l.w).add(l.b));
      return np.mean(h.sub(t).square());
    });
    const grads = tape.gradient(loss, params);
    ag.noGrad(() => params.forEach((p, i) => p.assign(p.sub(grads[i].mul(0.01)))));
  };
  return medianSecondsPerCall(step, { iters: 2000, warmup: 4000 }) * 1e6;
}

export function tfjs(tf) {
  const layers = SIZES.slice(1).map((out, i) => ({
    w: tf.variable(tf.randomNormal([SIZES[i], out], 0, Math.sqrt(1 / SIZES[i]), "float32", i)),
    b: tf.variable(tf.zeros([out])),
  }));
  const x = tf.randomUniform([1, 2], -1, 1, "float32", 7);
  const t = tf.tensor2d([[1, 0]]);
  const vars = layers.flatMap((l) => [l.w, l.b]);
  const loss = () => {
    let h = x;
    for (const l of layers) h = tf.sigmoid(tf.matMul(h, l.w).add(l.b));
    return tf.mean(tf.square(h.sub(t)));
  };
  const step = () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(loss, vars);
      for (const v of vars) v.assign(v.sub(grads[v.name].mul(0.01)));
    });
  return medianSecondsPerCall(step, { iters: 300, warmup: 300 }) * 1e6;
}
