import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("generated wasm module", () => {
  // Recompiles assembly/ (both variants in parallel, ~5–10 s) and compares with the
  // committed src/generated/kernels.wasm.ts, so sources and shipped binary never drift.
  it("matches a fresh compile of assembly/", () => {
    const script = fileURLToPath(new URL("../scripts/build-wasm.mjs", import.meta.url));
    const output = execFileSync(process.execPath, [script, "--check"], { encoding: "utf8", stdio: "pipe" });
    expect(output).toContain("up to date");
  });
});
