import { medianSecondsPerCall } from "../measure.mjs";

/** One gradient-descent step on Himmelblau's function with a tape over two scalars (µs). */
export function chainrule(np, ag) {
  const x = new ag.Variable(np.array(-4, { dtype: "float32" }));
  const y = new ag.Variable(np.array(0, { dtype: "float32" }));
  const step = () => {
    const tape = new ag.GradientTape();
    const f = tape.record(() =>
      x
        .mul(x)
        .add(y)
        .sub(11)
        .square()
        .add(x.add(y.mul(y)).sub(7).square()),
    );
    const [gx, gy] = tape.gradient(f, [x, y]);
    ag.noGrad(() => {
      x.assign(x.sub(gx.mul(0.01)));
      y.assign(y.sub(gy.mul(0.01)));
    });
  };
  return medianSecondsPerCall(step, { iters: 5000, warmup: 20000 }) * 1e6;
}

export function tfjs(tf) {
  const x = tf.variable(tf.scalar(-4));
  const y = tf.variable(tf.scalar(0));
  const f = () => x.square().add(y).sub(11).square().add(x.add(y.square()).sub(7).square());
  const step = () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(f, [x, y]);
      x.assign(x.sub(grads[x.name].mul(0.01)));
      y.assign(y.sub(grads[y.name].mul(0.01)));
    });
  return medianSecondsPerCall(step, { iters: 1000, warmup: 2000 }) * 1e6;
}
