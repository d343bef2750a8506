import { defineConfig } from "tsup";
import { nodeWrappers, stampCopy } from "../../scripts/tsup-shared";

const SEEDRANDOM_NOTICE = [
  "/*! Bundled: seedrandom 3.0.5 lib/alea.js (https://github.com/davidbau/seedrandom), MIT license.",
  " *  Alea: Copyright (C) 2010 by Johannes Baagøe <baagoe@baagoe.org>, MIT license. */",
].join("\n");

export default defineConfig({
  // `node` (writeFileAtomic) has no state of its own, so it needs no shared-copy wrapper.
  entry: ["src/index.ts", "src/node.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  sourcemap: false,
  // seedrandom is CommonJS: a browser loading dist/index.js through an import map (no bundler) cannot import
  // it, so its Alea file is bundled in (its MIT notice goes with it, below).
  noExternal: ["seedrandom"],
  banner: { js: SEEDRANDOM_NOTICE },
  // A value from another copy of this package is reported as exactly that (brandClass in @chainrule/ndarray).
  esbuildOptions: stampCopy(new URL("./package.json", import.meta.url)),
  // Under Node, `import` and `require` load one copy (the "node" export condition).
  onSuccess: nodeWrappers(["index"]),
});
