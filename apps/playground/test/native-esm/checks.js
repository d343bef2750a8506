// Plain JavaScript run both in the page (through the import map) and in Node (the test imports it), so the
// test can compare the two; it uses only the packages' public API.
import * as np from "@chainrule/ndarray";
import { grad } from "@chainrule/autograd";
import { Dense, Sequential, meanSquaredError } from "@chainrule/nn";
import { SGD } from "@chainrule/optim";

export async function runChecks() {
  // seedrandom's Alea, bundled into ndarray's build: the stream for seed 42.
  const rng = new np.Random(42);
  const uniforms = Array.from({ length: 5 }, () => rng.random());

  const a = np.array(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: "float64" },
  );
  const product = np.add(np.matmul(a, a.T), 1).toArray();

  // d/dx Σ sin(x)·x = cos(x)·x + sin(x)
  const x = np.array([0.5, -1.25, 2], { dtype: "float64" });
  const gradient = Array.from(grad((v) => np.sum(np.mul(np.sin(v), v)))(x).dataSync());

  // A few SGD steps of a small seeded network.
  const model = new Sequential([new Dense(4, { inputDim: 2, activation: "tanh" }), new Dense(1)], {
    seed: 3,
  });
  const opt = new SGD(model.parameters(), { lr: 0.1 });
  const xb = np.array(
    [
      [0, 1],
      [1, 0],
      [1, 1],
      [0, 0],
    ],
    { dtype: "float32" },
  );
  const yb = np.array([[1], [1], [0], [0]], { dtype: "float32" });
  const losses = Array.from({ length: 20 }, () =>
    opt.minimize(() => meanSquaredError(model.call(xb), yb)).item(),
  );

  return { format: np.THIS_COPY.format, uniforms, product, gradient, losses };
}
