export { Optimizer, type OptimizerOptions, type Gradients, type Hyperparameters } from "./optimizer";
export {
  stateToJSON,
  stateFromJSON,
  stateToHost,
  type OptimizerState,
  type OptimizerStateJSON,
} from "./state";
export { SGD, sgdUpdate, type SGDOptions, type SGDHyper } from "./sgd";
export { Adam, AdamW, adamUpdate, type AdamOptions, type AdamHyper } from "./adam";
export { RMSProp, rmspropUpdate, type RMSPropOptions, type RMSPropHyper } from "./rmsprop";
export { Adagrad, adagradUpdate, type AdagradOptions, type AdagradHyper } from "./adagrad";
export {
  stepDecay,
  exponentialDecay,
  cosineDecay,
  linearWarmup,
  resolveLr,
  type Schedule,
  type LearningRate,
  type StepDecayOptions,
  type ExponentialDecayOptions,
  type CosineDecayOptions,
  type LinearWarmupOptions,
} from "./schedules";
export { clipByGlobalNorm, clipByValue, globalNorm } from "./clip";
export type { AdamStep, AdamDeviceStep, SgdDeviceStep, RmspropDeviceStep, AdagradDeviceStep } from "./fused";
