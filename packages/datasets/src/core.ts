// The parts with no Node-only imports: usable in browsers and bundlers.
export { makeMoons, makeCircles, makeBlobs } from "./synthetic";
export type { LabeledPoints, MakeMoonsOptions, MakeCirclesOptions, MakeBlobsOptions } from "./synthetic";
export { trainTestSplit, trainTestSplitIndices } from "./split";
export type { TrainTestSplit, TrainTestSplitOptions } from "./split";
export { Dataset } from "./dataset";
export type { ShuffleOptions, BatchOptions } from "./dataset";
export { DataLoader } from "./data-loader";
export type { DataLoaderOptions } from "./data-loader";
export type { ArrayTree } from "./tree";
export { takeRows, rowView } from "./rows";
export { normalizeImages, flattenImages, oneHotLabels } from "./transforms";
export type { NormalizeOptions } from "./transforms";
export { parseIdx, encodeIdx } from "./idx";
export type { IdxExpectation, IdxType } from "./idx";
export { DataFileError } from "./errors";
export { FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_FILES } from "./fashion-mnist-files";
export type { FashionFile } from "./fashion-mnist-files";
