// The moons run on a device backend (webgpu): moonsNetwork made under that backend keeps its Variables in
// the device's memory, a GradientTape gives the gradients there, and SGD is `w.assign(w − lr·g)`, a copy on
// the device. The loss is summed there too and read back (`await x.data()`) once per `steps` call. Each step
// runs in a tidy, so its arrays are released as soon as it is done.
import { GradientTape, noGrad } from "@chainrule/autograd";
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

const read1 = async (x: np.NDArray) => (await x.data())[0]!;

/** Runs `f` on the js backend: the data is made and cut into batches on the host. */
const onHost = <T>(f: () => T): T => np.withBackend(np.jsBackend, f);

/** The run on the current backend (call after setBackend(webgpu); it runs on any backend). */
export function createDeviceMoonsRun(config: MoonsConfig): MoonsRun {
  const data = onHost(() => moonsData(config));
  const hostBatches = batchStream(data, config);
  // Batches are cut on the host (slicing on the GPU would be a dispatch per sample) and uploaded by the step.
  const next = () => onHost(hostBatches);
  const model = moonsNetwork(config.hidden, config.seed);
  model.call(np.zeros([1, 2], "float32")); // builds the layers: their Variables now live on the device
  const params = model.parameters();
  /** One SGD step; returns its loss (still on the device). */
  const step = (batch: { x: np.NDArray; t: np.NDArray }): np.NDArray => {
    const tape = new GradientTape();
    const loss = tape.record(() => meanSquaredError(model.call(batch.x), batch.t));
    const grads = tape.gradient(loss, params);
    noGrad(() => params.forEach((w, k) => w.assign(np.sub(w, np.mul(grads[k]!, config.lr)))));
    return loss;
  };
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
        total = np.tidy(() => np.add(total, step(batch)));
      }
      run.stepsDone += n;
      return (await read1(total)) / n;
    },
    testAccuracy: () =>
      read1(
        noGrad(() => np.mean(np.cast(np.eq(np.argmax(model.call(data.xTest), 1), data.yTest), "float32"))),
      ),
    async grid(n) {
      const pts = np.array(gridPoints(n), { dtype: "float32" }).reshape([n * n, 2]);
      const p = (await noGrad(() => np.softmax(model.call(pts), 1)).data()) as Float32Array;
      return Float32Array.from({ length: n * n }, (_, k) => p[2 * k + 1]!);
    },
  };
  return run;
}
