// seedrandom ships its Alea generator as a CommonJS file with no typings of its own; @types/seedrandom types
// it as `seedrandom.alea`. The build bundles this file into dist (tsup.config.ts), so no CommonJS is left
// for a browser's native ESM loader to trip over.
declare module "seedrandom/lib/alea.js" {
  import type seedrandom from "seedrandom";
  const alea: seedrandom["alea"];
  export default alea;
}
