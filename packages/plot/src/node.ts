// `@chainrule/plot/node`: everything in the main entry plus what needs Node: PNG rendering and image grids
// (sharp, a native module) and `save` (the file system).
export * from "./index.js";
export { imageGrid, type GridImage, type ImageGridOptions } from "./imageGrid.js";
export { toPng, svgToPng, type PngOptions } from "./png.js";
export { save, type SavedFiles } from "./save.js";
