import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", conv: "src/conv-kernels.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  sourcemap: false,
});
