import { readFileSync, writeFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

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
  // Each build names itself, so an array from another copy is reported as exactly that (src/copies.ts).
  esbuildOptions(options, { format }) {
    options.define = {
      ...options.define,
      __CHAINRULE_VERSION__: JSON.stringify(version),
      __CHAINRULE_FORMAT__: JSON.stringify(format),
    };
  },
  // Under Node, `import` loads this wrapper around the CJS build (the "node" export condition), so that
  // `import` and `require` share one copy: one backend setting, one NDArray class, one recorder stack.
  onSuccess: async () => writeFileSync("dist/index.node.mjs", 'export * from "./index.cjs";\n'),
});
