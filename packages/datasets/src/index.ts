export * from "./core";
// Node loaders: file system, network, h5wasm.
export { readIdxFile, readMaybeGzipped } from "./idx-file";
export { downloadVerified, DownloadError } from "./download";
export type { DownloadOptions } from "./download";
export type { Digest, HashAlgorithm } from "./hashing";
export { defaultCacheDir } from "./locations";
export {
  loadFashionMnist,
  locateFashionMnist,
  FASHION_MNIST_CLASS_NAMES,
  FASHION_MNIST_FILES,
  FASHION_MNIST_BASE_URL,
  FASHION_MNIST_SYSTEM_DIRS,
} from "./fashion-mnist";
export type { FashionMnist, FashionMnistOptions } from "./fashion-mnist";
export type { LabeledImages } from "./labeled-images";
export { loadCatVsNonCat, CAT_VS_NON_CAT_CLASS_NAMES, CAT_VS_NON_CAT_FILES } from "./cat-vs-non-cat";
export type { CatVsNonCat, CatVsNonCatOptions } from "./cat-vs-non-cat";
