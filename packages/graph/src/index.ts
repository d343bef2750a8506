export {
  trace,
  placeholder,
  Placeholder,
  type TracedFunction,
  type TraceOptions,
  type Outputs,
  type Fetch,
  type Feed,
} from "./trace";
export {
  gradients,
  minimize,
  GradientDescentOptimizer,
  compileTrainStep,
  descentBrand,
  type OptimizerLike,
  type TrainStepOptions,
} from "./train";
export { TrainOp, isTracing } from "./tracer";
export { Graph, Leaf, type GraphNode, type NodeKind, type UpdateOp, type OutputTree } from "./graph";
export { Plan, type PlanOptions, type PlanStats } from "./plan";
export { canGenerateCode } from "@chainrule/ndarray";
export { GraphError, FeedError } from "./errors";
export { descendMatmul, type DescentStep } from "./descend";
export { GRAPH_COPY } from "./copy";
export { placeholderBrand } from "./trace";
export { trainOpBrand } from "./tracer";
