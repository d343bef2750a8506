import { defineConfig } from "tsup";

export default defineConfig({
  // `core` is the part with no node: imports (synthetic data, splits, IDX parsing, the pipeline).
  entry: ["src/index.ts", "src/core.ts", "src/node.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  sourcemap: false,
});
