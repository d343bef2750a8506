import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/node.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  sourcemap: false,
  // Keeps class names (Model, Sequential, SafetensorsError…) in the CJS build, whose class-field lowering
  // otherwise renames them `_class2` in summary(), toString() and error names.
  keepNames: true,
});
