// The moons run on a device backend (webgpu). Its arrays live on the GPU and can only be read with
// `await x.data()`, and nn's Variables are host arrays, so the network is the same 2-…-2 MLP written as a
// function of its weights: gradients with valueAndGrad, SGD as `w - lr·g`, all on the GPU; the loss is summed
// there and read back once per `steps` call.
import { noGrad, valueAndGrad } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { meanSquaredError } from "@chainrule/nn";
import {
  batchStream,
  gridPoints,
  moonsData,
  moonsNetwork,
  type MoonsConfig,
  type MoonsRun,
} from "./moons-core";

/** The weights of `moonsNetwork(hidden, seed)` as [kernel₀, bias₀, kernel₁, bias₁, …] (float32, host). */
export function initialWeights(config: MoonsConfig): np.NDArray[] {
  const model = moonsNetwork(config.hidden, config.seed);
  model.call(np.zeros([1, 2], "float32")); // builds the layers
  return model.parameters().map((v) => v.read());
}

/** tanh(x·W + b) per hidden layer, sigmoid on the last: what moonsNetwork's Dense layers compute. */
export function forward(weights: readonly np.NDArray[], x: np.NDArray): np.NDArray {
  let h = x;
  for (let i = 0; i < weights.length; i += 2) {
    h = np.add(np.matmul(h, weights[i]!), weights[i + 1]!);
    h = i + 2 < weights.length ? np.tanh(h) : np.sigmoid(h);
  }
  return h;
}

const read1 = async (x: np.NDArray) => (await x.data())[0]!;

/** Runs `f` on the js backend: the data and the initial weights are made and read on the host. */
function onHost<T>(f: () => T): T {
  const current = np.getBackend();
  np.setBackend(np.jsBackend);
  try {
    return f();
  } finally {
    np.setBackend(current);
  }
}

/** The run on the current (device) backend: call after setBackend(webgpu). */
export function createDeviceMoonsRun(config: MoonsConfig): MoonsRun {
  const { data, initial } = onHost(() => ({ data: moonsData(config), initial: initialWeights(config) }));
  const hostBatches = batchStream(data, config);
  // Batches are cut on the host (slicing on the GPU would be a dispatch per sample) and uploaded by the step.
  const next = () => onHost(hostBatches);
  // Uploaded once; every step replaces them with new GPU arrays.
  let weights = initial.map((w) => np.add(w, 0));
  const xTest = np.add(data.xTest, 0);
  const lossAndGrads = valueAndGrad(
    (x: np.NDArray, t: np.NDArray, ...w: np.NDArray[]) => meanSquaredError(forward(w, x), t),
    weights.map((_, i) => i + 2),
  );
  const run: MoonsRun = {
    config,
    train: data.train,
    test: data.test,
    stepsDone: 0,
    chunk: 10,
    sliceMs: 500,
    async steps(n) {
      let total = np.zeros([], "float32");
      for (let i = 0; i < n; i++) {
        const batch = next();
        const [loss, grads] = lossAndGrads(batch.x, batch.t, ...weights);
        weights = weights.map((w, k) => np.sub(w, np.mul(grads[k]!, config.lr)));
        total = np.add(total, loss);
      }
      run.stepsDone += n;
      return (await read1(total)) / n;
    },
    testAccuracy: () =>
      read1(
        noGrad(() => np.mean(np.cast(np.eq(np.argmax(forward(weights, xTest), 1), data.yTest), "float32"))),
      ),
    async grid(n) {
      const pts = np.array(gridPoints(n), { dtype: "float32" }).reshape([n * n, 2]);
      const p = (await noGrad(() => np.softmax(forward(weights, pts), 1)).data()) as Float32Array;
      return Float32Array.from({ length: n * n }, (_, k) => p[2 * k + 1]!);
    },
  };
  return run;
}
