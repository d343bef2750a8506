import { defineConfig } from "tsup";
import { nodeWrappers, stampCopy } from "../../scripts/tsup-shared";

export default defineConfig({
  entry: ["src/index.ts", "src/node.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  sourcemap: false,
  // Both entries share one copy of the code (Module, SafetensorsError…) in CJS as well as ESM, so
  // `instanceof` works across `@chainrule/nn` and `@chainrule/nn/node`.
  splitting: true,
  // Keeps class names (Model, Sequential, SafetensorsError…) in the CJS build, whose class-field lowering
  // otherwise renames them `_class2` in summary(), toString() and error names.
  keepNames: true,
  // A value from another copy of this package is reported as exactly that (brandClass in @chainrule/ndarray).
  esbuildOptions: stampCopy(new URL("./package.json", import.meta.url)),
  // Under Node, `import` and `require` load one copy (the "node" export condition).
  onSuccess: nodeWrappers(["index", "node"]),
});
