import { readFileSync, writeFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

const SEEDRANDOM_NOTICE = [
  "/*! Bundled: seedrandom 3.0.5 lib/alea.js (https://github.com/davidbau/seedrandom), MIT license.",
  " *  Alea: Copyright (C) 2010 by Johannes Baagøe <baagoe@baagoe.org>, MIT license. */",
].join("\n");

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
  // seedrandom is CommonJS: a browser loading dist/index.js through an import map (no bundler) cannot import
  // it, so its Alea file is bundled in (its MIT notice goes with it, below).
  noExternal: ["seedrandom"],
  banner: { js: SEEDRANDOM_NOTICE },
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
