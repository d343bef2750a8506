// The main entry is browser-safe: synthetic data, splits, IDX parsing and the batching pipeline.
// The Node-only loaders (Fashion-MNIST, cat vs non-cat, downloads, IDX files) are in `@chainrule/datasets/node`.
export * from "./core";
