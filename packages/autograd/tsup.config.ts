import { writeFileSync } from "node:fs";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  sourcemap: false,
  // Keeps class names (Model, Sequential, SafetensorsError…) in the CJS build, whose class-field lowering
  // otherwise renames them `_class2` in summary(), toString() and error names.
  keepNames: true,
  // Under Node, `import` loads this wrapper around the CJS build (the "node" export condition), so that
  // `import` and `require` share one GradientTape and Variable class, as @chainrule/ndarray does.
  onSuccess: async () => writeFileSync("dist/index.node.mjs", 'export * from "./index.cjs";\n'),
});
