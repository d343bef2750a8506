import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", conv: "src/conv-kernels.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  sourcemap: false,
  // Keeps class names (Model, Sequential, SafetensorsError…) in the CJS build, whose class-field lowering
  // otherwise renames them `_class2` in summary(), toString() and error names.
  keepNames: true,
});
