// graph's files write shapes with @chainrule/ndarray's one formatter, under this name.
export { formatShape as fmtShape } from "@chainrule/ndarray";

/** Something about a graph is wrong: an op that cannot be compiled, a bad fetch, a misuse while tracing. */
export class GraphError extends Error {
  override name = "GraphError";
}

/** A feed does not match its placeholder (missing, unknown, wrong shape or dtype). */
export class FeedError extends GraphError {
  override name = "FeedError";
  constructor(
    message: string,
    /** The placeholder's name. */
    readonly placeholder: string,
  ) {
    super(message);
  }
}
