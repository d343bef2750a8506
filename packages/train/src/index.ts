export { fit, type FitOptions, type FitWithStep, type FitWithLoss } from "./fit";
export { earlyStopping, type EarlyStopping, type EarlyStoppingOptions } from "./callbacks";
export type {
  History,
  Logs,
  Callback,
  CallbackResult,
  StepResult,
  Batches,
  DataSource,
  ModeSwitch,
} from "./types";
export type { ProgressMode, ProgressOptions } from "./progress/choose";
export { LinesReporter, type LinesOptions } from "./progress/lines";
export { createBarReporter, type BarStream } from "./progress/bar";
export { formatValue, type ProgressReporter } from "./progress/reporter";
