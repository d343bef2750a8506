import { parseAppFlags, parseBackend, selectBackend } from "@chainrule/app-kit";
import { run } from "./himmelblau";

const flags = parseAppFlags("himmelblau", process.argv.slice(2), {
  jitter: { type: "string", default: "0" },
  backend: { type: "string", default: "wasm" },
});
await selectBackend(parseBackend(flags.extra.backend));
// The textbook runs 200 steps; --full runs 1000 to show the trajectories settle completely.
const steps = flags.steps ?? flags.epochs ?? (flags.full ? 1000 : 200);
const metrics = await run({
  steps,
  lr: flags.lr ?? 0.01,
  out: flags.out,
  seed: flags.seed,
  jitter: Number(flags.extra.jitter),
  printEvery: 20,
  log: (line) => console.log(line),
});
console.log(
  `\n${metrics.minimaReached}/4 minima reached within 1e-3 in ${metrics.wallTimeSeconds.toFixed(2)} s; wrote ${flags.out}/himmelblau.{svg,png} and metrics.json`,
);
if (!metrics.allWithin1e3) process.exitCode = 1;
