import { defineConfig } from "tsup";

// ESM + CJS + .d.ts. The peerDependencies (@chainrule/ndarray, autograd, nn) stay external: the user's copy is used.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  sourcemap: false,
  // Keeps class names in the CJS build, whose class-field lowering otherwise renames them `_class2` in
  // summary(), toString() and error names.
  keepNames: true,
});
