import { medianSecondsPerCall, medianSecondsPerCallAsync } from "../measure.mjs";

// apps/makemore's default model: a 2-block GPT (dim 32, 4 heads, context 16, 27 characters) trained with
// AdamW (clip 1) on batches of 32 windows. Reported as training tokens per second (32 × 16 per step).
export const CONFIG = { vocabSize: 27, blockSize: 16, dim: 32, heads: 4, layers: 2 };
export const BATCH = 32;
const TOKENS = BATCH * CONFIG.blockSize;

function setup(np, attention, optim) {
  const model = new attention.GPT({ ...CONFIG, seed: 0 });
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01, clipNorm: 1 });
  const rng = new np.Random(1);
  const x = rng.randint(0, CONFIG.vocabSize, [BATCH, CONFIG.blockSize]);
  const y = rng.randint(0, CONFIG.vocabSize, [TOKENS]);
  return { model, opt, x, y };
}

const loss = (np, nn, model, x, y) =>
  nn.sparseSoftmaxCrossEntropy(np.reshape(model.call(x), [-1, CONFIG.vocabSize]), y);

/** Tokens/s of the eager (GradientTape) step. */
export function eager(np, nn, attention, optim) {
  const { model, opt, x, y } = setup(np, attention, optim);
  const step = () => opt.minimize(() => loss(np, nn, model, x, y)).item();
  return TOKENS / medianSecondsPerCall(step, { iters: 3, trials: 5, warmup: 2 });
}

/** Tokens/s of the traced step (@chainrule/graph), as apps/makemore runs it. */
export function traced(np, nn, attention, optim, graph) {
  const { model, opt, x, y } = setup(np, attention, optim);
  const run = graph.trace(
    (xi, yi) => {
      const l = loss(np, nn, model, xi, yi);
      return { loss: l, train: graph.minimize(l, opt) };
    },
    [graph.placeholder([BATCH, CONFIG.blockSize], "int32", "x"), graph.placeholder([TOKENS], "int32", "y")],
  );
  const step = () => run(x, y).loss.item();
  return TOKENS / medianSecondsPerCall(step, { iters: 3, trials: 5, warmup: 2 });
}

// On WebGPU every timed step ends with a read of its loss (`await data()`), so the queued GPU work is
// counted. Without a GPU the adapter is SwiftShader, a CPU emulation: its figures say nothing about GPU speed.
const gpuTiming = { iters: 1, trials: 3, warmup: 1 };

/** Tokens/s of the eager step with the weights and AdamW state on the GPU (call with webgpu current). */
export async function eagerWebGpu(np, nn, attention, optim) {
  const { model, opt, x, y } = setup(np, attention, optim);
  const step = () => opt.minimize(() => loss(np, nn, model, x, y)).data();
  return TOKENS / (await medianSecondsPerCallAsync(step, gpuTiming));
}

/** Tokens/s of the traced step on the GPU (a device-resident plan; call with webgpu current). */
export async function tracedWebGpu(np, nn, attention, optim, graph) {
  const { model, opt, x, y } = setup(np, attention, optim);
  const run = graph.trace(
    (xi, yi) => {
      const l = loss(np, nn, model, xi, yi);
      return { loss: l, train: graph.minimize(l, opt) };
    },
    [graph.placeholder([BATCH, CONFIG.blockSize], "int32", "x"), graph.placeholder([TOKENS], "int32", "y")],
  );
  const step = () => run(x, y).loss.data();
  return TOKENS / (await medianSecondsPerCallAsync(step, gpuTiming));
}
