export { withEvalMode } from "./eval-mode";
export { NN_COPY } from "./copy";
export {
  Module,
  moduleBrand,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  type ParamCounts,
} from "./module";
export { Sequential, type SequentialOptions } from "./layers/sequential";
export { Dense, type DenseOptions } from "./layers/dense";
export {
  Flatten,
  Reshape,
  Activation,
  ReLU,
  LeakyReLU,
  Sigmoid,
  Tanh,
  Softmax,
  LogSoftmax,
  type ShapeLayerOptions,
} from "./layers/basic";
export { Dropout, type DropoutOptions } from "./layers/dropout";
export { BatchNorm1d, type BatchNorm1dOptions } from "./layers/batchnorm";
export {
  relu,
  leakyRelu,
  sigmoid,
  tanh,
  softmax,
  logSoftmax,
  linear,
  getActivation,
  type ActivationFn,
  type ActivationName,
  type ActivationLike,
} from "./activations";
export {
  initializers,
  initialize,
  getInitializer,
  computeFans,
  type Initializer,
  type InitializerName,
  type InitContext,
} from "./initializers";
export {
  meanSquaredError,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  softmaxCrossEntropy,
  sparseSoftmaxCrossEntropy,
  type Reduction,
  type LossOptions,
  type BinaryCrossEntropyOptions,
} from "./losses";
export { accuracy, binaryAccuracy, categoricalAccuracy } from "./metrics";
export { type SummaryOptions } from "./summary";
export {
  serializeSafetensors,
  parseSafetensors,
  parseSafetensorsHeader,
  MAX_HEADER_BYTES,
  type ParsedSafetensors,
  type ParseSafetensorsOptions,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from "./safetensors";
export {
  saveWeights,
  saveWeightsAsync,
  loadWeights,
  type SaveWeightsOptions,
  type LoadWeightsOptions,
} from "./weights";
export { StateDictError, SafetensorsError } from "./errors";
export { manualSeed } from "./random";
export { SoftmaxWithLoss } from "./textbook";
export * as textbook from "./textbook";
