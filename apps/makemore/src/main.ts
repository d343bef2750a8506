import { parseAppFlags, parseBackend, selectBackend } from "@chainrule/app-kit";
import { run } from "./makemore";

const flags = parseAppFlags("makemore", process.argv.slice(2), {
  "batch-size": { type: "string", default: "32" },
  backend: { type: "string", default: "wasm" },
  eager: { type: "boolean", default: false },
});
const backend = parseBackend(flags.extra.backend);
await selectBackend(backend);
const batchSize = Number(flags.extra["batch-size"]);
if (!Number.isInteger(batchSize) || batchSize <= 0)
  throw new Error(
    `makemore: --batch-size expects a positive whole number, got '${String(flags.extra["batch-size"])}'`,
  );

// The default is a short demo run; --full trains the larger model for longer (see the README for both).
const full = flags.full;
const steps = flags.steps ?? (full ? 5000 : 300);
const { metrics } = await run({
  steps,
  batchSize,
  blockSize: 16,
  dim: full ? 64 : 32,
  heads: 4,
  layers: full ? 4 : 2,
  lr: flags.lr ?? 3e-3,
  seed: flags.seed,
  out: flags.out,
  eager: Boolean(flags.extra.eager),
  progress: "auto",
  evalEvery: Math.max(1, Math.round(steps / 5)),
  log: (line) => console.log(line),
});
console.log(
  `\nvalidation loss ${metrics.valLoss.toFixed(4)} nats/char (uniform ${metrics.uniform.toFixed(4)}) after ${steps} steps, ` +
    `${Math.round(metrics.tokensPerSecond)} tokens/s, ${metrics.wallTimeSeconds.toFixed(1)} s\nsamples: ${metrics.samples.join(" ")}\n` +
    `wrote ${flags.out}/loss.{svg,png}, model.safetensors and metrics.json`,
);
