// This copy of @chainrule/graph, for the brands of the classes users hand back to it (see brandClass in
// @chainrule/ndarray), so that one of another copy is reported as exactly that. The brands live beside
// their classes (Placeholder in trace.ts, TrainOp in tracer.ts): this module imports neither.
import { copyOf } from "@chainrule/ndarray";

declare const __CHAINRULE_COPY__: { version?: string; format?: string } | undefined;

export const GRAPH_COPY = copyOf(
  "@chainrule/graph",
  typeof __CHAINRULE_COPY__ === "object" ? __CHAINRULE_COPY__ : undefined,
);

/** What two copies of this package do not share (for the error message). */
export const GRAPH_SHARES = "placeholders, tracers or train ops";
