// This copy of @chainrule/graph and the brands of the classes users hand back to it (see brandClass in
// @chainrule/ndarray), so that one of another copy is reported as exactly that.
import { brandClass, copyOf } from "@chainrule/ndarray";
import { Placeholder } from "./trace";
import { TrainOp } from "./tracer";

declare const __CHAINRULE_COPY__: { version?: string; format?: string } | undefined;

export const GRAPH_COPY = copyOf(
  "@chainrule/graph",
  typeof __CHAINRULE_COPY__ === "object" ? __CHAINRULE_COPY__ : undefined,
);

const shares = "placeholders, tracers or train ops";
export const placeholderBrand = brandClass(Placeholder, "Placeholder", GRAPH_COPY, shares);
export const trainOpBrand = brandClass(TrainOp, "TrainOp", GRAPH_COPY, shares);
