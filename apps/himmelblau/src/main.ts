import { backendFlag, parseAppFlags, parseBackend, selectBackend } from "@chainrule/app-kit";
import { run } from "./himmelblau";

const flags = parseAppFlags(
  "himmelblau",
  process.argv.slice(2),
  {
    jitter: { kind: "number", default: "0", help: "random offset added to the four starting points" },
    backend: backendFlag,
  },
  {
    description: "Gradient descent on Himmelblau's function with a GradientTape, from four starting points.",
  },
);
await selectBackend(parseBackend(flags.extra.backend));
// The textbook runs 200 steps; --full runs 1000 to show the trajectories settle completely.
const steps = flags.steps ?? flags.epochs ?? (flags.full ? 1000 : 200);
const metrics = await run({
  steps,
  lr: flags.lr ?? 0.01,
  out: flags.out,
  seed: flags.seed,
  jitter: flags.extra.jitter as number,
  printEvery: 20,
  log: (line) => console.log(line),
});
console.log(
  `\n${metrics.minimaReached}/4 minima reached within 1e-3 in ${metrics.wallTimeSeconds.toFixed(2)} s; wrote ${flags.out}/himmelblau.{svg,png} and metrics.json`,
);
if (!metrics.allWithin1e3) process.exitCode = 1;
