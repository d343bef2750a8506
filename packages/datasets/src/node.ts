// `@chainrule/datasets/node`: everything in the main entry plus the Node-only loaders (file system, network,
// gzip, h5wasm). Kept off the main entry so that `import … from "@chainrule/datasets"` bundles for browsers.
export * from "./core";
export { readIdxFile, readMaybeGzipped } from "./idx-file";
export { downloadVerified, DownloadError } from "./download";
export type { DownloadOptions } from "./download";
export type { Digest, HashAlgorithm } from "./hashing";
export { defaultCacheDir } from "./locations";
export {
  loadFashionMnist,
  locateFashionMnist,
  FASHION_MNIST_BASE_URL,
  FASHION_MNIST_SYSTEM_DIRS,
} from "./fashion-mnist";
export type { FashionMnist, FashionMnistOptions } from "./fashion-mnist";
export type { LabeledImages } from "./labeled-images";
export { loadCatVsNonCat, CAT_VS_NON_CAT_CLASS_NAMES, CAT_VS_NON_CAT_FILES } from "./cat-vs-non-cat";
export type { CatVsNonCat, CatVsNonCatOptions } from "./cat-vs-non-cat";
