import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Checks the built package (run `pnpm --filter @chainrule/backend-wasm build` first; skipped
// without dist/): both module formats find the worker, run a threaded GEMM, and the process
// exits on its own with the pool still running.
const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const hasDist = existsSync(`${dist}index.js`) && existsSync(`${dist}index.cjs`);

const body = `
  const threads = await w.initThreads({ threads: 2, minFlops: 0 });
  const n = 70;
  const a = new Float32Array(n * n).fill(1);
  const c = w.matmul(a, a, n, n, n);
  console.log(JSON.stringify({ threads, c0: c[0], last: c[n * n - 1] }));
`;

describe.skipIf(!hasDist)("built package", () => {
  it.each([
    ["esm", ["--input-type=module", "-e", `import * as w from ${JSON.stringify(`${dist}index.js`)};${body}`]],
    ["cjs", ["-e", `const w = require(${JSON.stringify(`${dist}index.cjs`)}); (async () => {${body}})();`]],
  ])("%s runs threaded gemm and lets the process exit", (_format, args) => {
    const result = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 30_000 });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ threads: 2, c0: 70, last: 70 });
  });
});
