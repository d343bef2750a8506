import { defineConfig } from "tsup";
import { nodeWrappers, stampCopy } from "../../scripts/tsup-shared";

// ESM + CJS + .d.ts. The peerDependencies (@chainrule/ndarray, autograd, nn) stay external: the user's copy is used.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  sourcemap: false,
  // A value from another copy of this package is reported as exactly that (brandClass in @chainrule/ndarray).
  esbuildOptions: stampCopy(new URL("./package.json", import.meta.url)),
  // Under Node, `import` and `require` load one copy (the "node" export condition).
  onSuccess: nodeWrappers(["index"]),
});
