import { defineConfig } from "tsup";

// ESM + CJS + .d.ts. The peerDependencies (@chainrule/ndarray, autograd, nn) stay external: the user's copy is used.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  sourcemap: false,
});
