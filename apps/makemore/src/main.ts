import { backendFlag, parseAppFlags, parseBackend, selectBackend } from "@chainrule/app-kit";
import { run } from "./makemore";

const flags = parseAppFlags(
  "makemore",
  process.argv.slice(2),
  {
    "batch-size": { kind: "positive-int", default: "32", help: "sequences per AdamW step" },
    backend: backendFlag,
    eager: { kind: "boolean", default: false, help: "run op by op instead of the traced graph" },
  },
  {
    description: "A character-level GPT trained on /usr/share/dict/words; prints samples, saves safetensors.",
  },
);
const backend = parseBackend(flags.extra.backend);
await selectBackend(backend);
const batchSize = flags.extra["batch-size"] as number;

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
