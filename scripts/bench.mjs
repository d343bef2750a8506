// `pnpm bench [workload…]`: runs the benchmark suite in packages/bench on the built packages.
import { execFileSync } from "node:child_process";

execFileSync("pnpm", ["--filter", "@chainrule/bench", "start", ...process.argv.slice(2)], {
  stdio: "inherit",
});
