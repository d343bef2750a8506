export { exportOnnx, OPSET, INPUT_NAME, OUTPUT_NAME, type ExportOnnxOptions } from "./export";
export { Permute } from "./permute";
export { OnnxError } from "./errors";
export { importOnnx, type ImportOnnxOptions, type ConvLayers } from "./import";
export {
  toPytorchStateDict,
  loadPytorchStateDict,
  savePytorchSafetensors,
  loadPytorchSafetensors,
  type PytorchNamesOptions,
} from "./pytorch";
export type { TracedLike, GraphLike, GraphNodeLike, LeafLike } from "./traced-graph";
