import { ScalarLog, secondsSince, writeJsonAtomic } from "@chainrule/app-kit";
import { noGrad } from "@chainrule/autograd";
import { minimize, placeholder, trace } from "@chainrule/graph";
import { GPT } from "@chainrule/layer-attention";
import * as np from "@chainrule/ndarray";
import { sparseSoftmaxCrossEntropy } from "@chainrule/nn";
import { saveSafetensorsFile } from "@chainrule/nn/node";
import { AdamW, cosineDecay, linearWarmup } from "@chainrule/optim";
import { lineChart, save } from "@chainrule/plot/node";
import { fit, type ProgressReporter } from "@chainrule/train";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ALPHABET, encodeStream, loadWords, splitWords } from "./words";

export interface Options {
  steps: number;
  batchSize: number;
  blockSize: number;
  dim: number;
  heads: number;
  layers: number;
  lr: number;
  seed: number;
  out: string;
  eager: boolean;
  progress: "auto" | "bar" | "lines" | "none" | ProgressReporter;
  log: (line: string) => void;
  /** Evaluate and print samples every this many steps. */
  evalEvery: number;
  words?: string[];
  /** Validation windows per evaluation (default 256). */
  valWindows?: number;
  /** Words sampled at each log step (default 5) and at the end (default 20). */
  samples?: { perLog: number; final: number };
}

/** A batch of random windows of the stream: x [B, T] and the next ids y [B·T]. */
function batch(stream: Int32Array, B: number, T: number, rng: np.Random) {
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const start = Math.floor(rng.random() * (stream.length - T - 1));
    x.set(stream.subarray(start, start + T), b * T);
    y.set(stream.subarray(start + 1, start + T + 1), b * T);
  }
  return { x: np.fromTypedArray(x, [B, T], "int32"), y: np.fromTypedArray(y, [B * T], "int32") };
}

/**
 * Mean cross-entropy (nats per character) over non-overlapping windows of the stream, in eval mode. The
 * chunks' losses are read together at the end (`await data()`: on WebGPU, one wait for the GPU).
 */
export async function streamLoss(
  model: GPT,
  stream: Int32Array,
  T: number,
  maxWindows = 256,
): Promise<number> {
  const n = Math.min(maxWindows, Math.floor((stream.length - 1) / T));
  const losses = new ScalarLog();
  const sizes: number[] = [];
  model.eval();
  noGrad(() => {
    for (let i = 0; i < n; i += 64) {
      const m = Math.min(64, n - i);
      const x = np.fromTypedArray(stream.slice(i * T, (i + m) * T), [m, T], "int32");
      const y = np.fromTypedArray(stream.slice(i * T + 1, (i + m) * T + 1), [m * T], "int32");
      losses.push(sparseSoftmaxCrossEntropy(np.reshape(model.call(x), [m * T, ALPHABET.length]), y));
      sizes.push(m);
    }
  });
  model.train();
  const chunk = await losses.take();
  return chunk.reduce((total, l, k) => total + l * sizes[k]!, 0) / n;
}

/**
 * Words sampled one character at a time from "." until the next ".". Each character needs the previous
 * one's probabilities: read with `await data()` (on WebGPU, one read per character, at log steps only).
 */
export async function sample(model: GPT, count: number, rng: np.Random, maxLength = 24): Promise<string[]> {
  const T = model.config.blockSize;
  const out: string[] = [];
  model.eval();
  try {
    for (let k = 0; k < count; k++) {
      const ids = [0];
      while (ids.length <= maxLength) {
        const ctx = ids.slice(-T);
        const probs = noGrad(() => {
          const logits = model.call(np.fromTypedArray(Int32Array.from(ctx), [1, ctx.length], "int32"));
          return np.softmax(np.slice(logits, [0, -1]), -1);
        });
        const p = await probs.data();
        let u = rng.random();
        let next = p.length - 1;
        for (let i = 0; i < p.length; i++)
          if ((u -= p[i]!) <= 0) {
            next = i;
            break;
          }
        if (next === 0) break;
        ids.push(next);
      }
      out.push(
        ids
          .slice(1)
          .map((i) => ALPHABET[i])
          .join(""),
      );
    }
  } finally {
    model.train();
  }
  return out;
}

export async function run(opts: Options) {
  const t0 = performance.now();
  const words = opts.words ?? loadWords();
  const split = splitWords(words, 0.1, opts.seed);
  const trainStream = encodeStream(split.train);
  const valStream = encodeStream(split.val);
  const V = ALPHABET.length;
  const T = opts.blockSize;
  const model = new GPT({
    vocabSize: V,
    blockSize: T,
    dim: opts.dim,
    heads: opts.heads,
    layers: opts.layers,
    seed: opts.seed,
  });
  opts.log(
    `makemore: ${split.train.length} training / ${split.val.length} validation words; GPT ${opts.layers}×(dim ${opts.dim}, ${opts.heads} heads), ` +
      `context ${T}, ${model.countParams().total} parameters; AdamW lr ${opts.lr}, warm-up + cosine, clip 1, ${opts.steps} steps of ${opts.batchSize}×${T}`,
  );
  const warmup = Math.max(1, Math.round(opts.steps / 10));
  const lr = linearWarmup(
    cosineDecay({ initial: opts.lr, decaySteps: Math.max(1, opts.steps - warmup), alpha: 0.1 }),
    { warmupSteps: warmup },
  );
  const optimizer = new AdamW(model.parameters(), { lr, weightDecay: 0.01, clipNorm: 1 });
  const lossOf = (x: np.NDArray, y: np.NDArray) =>
    sparseSoftmaxCrossEntropy(np.reshape(model.call(x), [-1, V]), y);
  const traced = opts.eager
    ? undefined
    : trace(
        (x: np.NDArray, y: np.NDArray) => {
          const loss = lossOf(x, y);
          return { loss, train: minimize(loss, optimizer) };
        },
        [placeholder([opts.batchSize, T], "int32", "x"), placeholder([opts.batchSize * T], "int32", "y")],
      );
  const step = (x: np.NDArray, y: np.NDArray) =>
    traced ? traced(x, y).loss : optimizer.minimize(() => lossOf(x, y));

  const rng = new np.Random(opts.seed + 1);
  const sampleRng = new np.Random(opts.seed + 2);
  const history: { step: number; train: number; val: number }[] = [];
  const pending: string[] = [];
  // The training losses since the last log step: read at once on the host, at the log step on a device.
  const trainLosses = new ScalarLog();
  let stepNo = 0;
  const tTrain = performance.now();
  const logStep = async (at: number) => {
    const losses = await trainLosses.take();
    const train = losses.reduce((a, b) => a + b, 0) / losses.length;
    const val = await streamLoss(model, valStream, T, opts.valWindows);
    history.push({ step: at, train, val });
    const words = await sample(model, opts.samples?.perLog ?? 5, sampleRng);
    pending.push(
      `step ${at}: train ${train.toFixed(4)} · val ${val.toFixed(4)} nats/char · ${words.join(" ")}`,
    );
  };
  function* batches() {
    for (let i = 0; i < opts.steps; i++) yield batch(trainStream, opts.batchSize, T, rng);
  }
  await fit({
    epochs: 1,
    data: batches,
    model,
    trainStep: ({ x, y }: { x: np.NDArray; y: np.NDArray }) => {
      const loss = step(x, y);
      trainLosses.push(loss);
      stepNo++;
      // On a device the loss stays there (fit would read it at every step); the log lines carry it.
      const result: Record<string, number> = loss.onDevice ? {} : { loss: loss.item() };
      // Only log steps return a promise: the other steps stay synchronous (no microtask per step).
      return stepNo % opts.evalEvery === 0 || stepNo === opts.steps
        ? logStep(stepNo).then(() => result)
        : result;
    },
    callbacks: [{ onTrainEnd: () => pending.splice(0).forEach((l) => opts.log(l)) }],
    progress: opts.progress,
  });
  const trainSeconds = secondsSince(tTrain);
  pending.splice(0).forEach((l) => opts.log(l));
  const valLoss = history.at(-1)!.val;
  const samples = await sample(model, opts.samples?.final ?? 20, sampleRng);
  mkdirSync(opts.out, { recursive: true });
  await saveSafetensorsFile(model, join(opts.out, "model.safetensors"), {
    metadata: {
      model: "GPT",
      alphabet: ALPHABET,
      ...Object.fromEntries(Object.entries(model.config).map(([k, v]) => [k, String(v)])),
      val_loss: String(valLoss),
    },
  });
  await save(
    lineChart({
      series: [
        { name: "train", x: history.map((h) => h.step), y: history.map((h) => h.train) },
        { name: "validation", x: history.map((h) => h.step), y: history.map((h) => h.val) },
      ],
      title: `makemore: cross-entropy (nats/char); uniform = ln ${V} = ${Math.log(V).toFixed(3)}`,
      xLabel: "step",
      yLabel: "loss",
    }),
    join(opts.out, "loss"),
  );
  const tokensPerSecond = (opts.steps * opts.batchSize * T) / trainSeconds;
  const metrics = {
    valLoss,
    uniform: Math.log(V),
    samples,
    tokensPerSecond,
    trainSeconds,
    wallTimeSeconds: secondsSince(t0),
    history,
  };
  writeJsonAtomic(join(opts.out, "metrics.json"), metrics);
  return { metrics, model, split };
}
