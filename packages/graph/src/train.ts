import { Variable, variableBrand } from "@chainrule/autograd";
import {
  NDArray,
  brandClass,
  getBackend,
  kernelsOf,
  mul,
  shapesEqual,
  sub,
  withoutRecording,
} from "@chainrule/ndarray";
import { GRAPH_COPY, GRAPH_SHARES } from "./copy";
import { placeholderBrand } from "./trace";
import { GraphError, fmtShape } from "./errors";
import { currentTracer, type TrainOp } from "./tracer";
import { trace, type Placeholder, type TraceOptions, type TracedFunction } from "./trace";

/**
 * Symbolic gradients, as TF1's `tf.gradients(ys, xs)`: d(target)/d(each source) over everything the
 * traced function has computed so far, added to the graph. Only inside a traced function. The
 * accumulation is the GradientTape's, so the values match eager `tape.gradient` bit for bit. A source
 * the target does not depend on gets null. `outputGradient` seeds the target (ones by default, so a
 * non-scalar target is summed).
 */
export function gradients(
  target: NDArray,
  sources: readonly NDArray[],
  options: { outputGradient?: NDArray } = {},
): (NDArray | null)[] {
  if (!(target instanceof NDArray)) throw new TypeError("gradients: the target must be an NDArray");
  if (!Array.isArray(sources)) throw new TypeError("gradients: sources must be an array of NDArrays");
  return currentTracer("gradients").gradients(target, sources, options.outputGradient);
}

/** Anything with optimizer semantics: `@chainrule/optim`'s optimizers (SGD, Adam, …) fit. */
export interface OptimizerLike {
  readonly params: readonly Variable[];
  /** One update from gradients aligned with `params` (null skips a parameter). */
  step(grads: readonly (NDArray | null)[]): void;
  readonly name?: string;
}

function checkLoss(loss: unknown, op: string): asserts loss is NDArray {
  if (!(loss instanceof NDArray)) throw new TypeError(`${op}: the loss must be an NDArray`);
  if (loss.size !== 1) {
    throw new GraphError(
      `${op}: the loss must have one element, got shape ${fmtShape(loss.shape)} (reduce it first)`,
    );
  }
}

/**
 * Plain gradient descent as a graph op, as TF1's `tf.train.GradientDescentOptimizer`: `minimize(loss)`
 * adds the gradients and the update θ ← θ − lr·g to the graph and returns the train op to fetch.
 * `learningRate` can be changed between runs.
 */
export class GradientDescentOptimizer {
  constructor(public learningRate: number) {
    if (!(typeof learningRate === "number" && Number.isFinite(learningRate))) {
      throw new TypeError(
        `GradientDescentOptimizer: learningRate must be a finite number, got ${learningRate}`,
      );
    }
  }

  /**
   * The train op minimizing `loss` over `varList` (default: every trainable Variable the traced function
   * has read; those the loss does not depend on are left alone).
   */
  minimize(loss: NDArray, varList?: readonly Variable[]): TrainOp {
    checkLoss(loss, "GradientDescentOptimizer.minimize");
    const tracer = currentTracer("GradientDescentOptimizer.minimize");
    const vars = varList ? [...varList] : tracer.trainableVariables();
    vars.forEach((v, i) => {
      variableBrand.reject(v, `GradientDescentOptimizer.minimize: varList[${i}]`);
      if (!(v instanceof Variable))
        throw new TypeError(`GradientDescentOptimizer.minimize: varList[${i}] is not a Variable`);
    });
    const grads = tracer.gradients(loss, vars);
    if (grads.every((g) => g === null)) {
      throw new GraphError(
        `GradientDescentOptimizer.minimize: the loss depends on none of the ${vars.length} variables ` +
          `(${vars.map((v) => `'${v.name}'`).join(", ") || "none were read"})`,
      );
    }
    grads.forEach((g, i) => {
      if (g && !shapesEqual(g.shape, vars[i]!.shape))
        throw new GraphError(
          `GradientDescentOptimizer.minimize: gradient of '${vars[i]!.name}' has shape ${fmtShape(g.shape)}, the variable ${fmtShape(vars[i]!.shape)}`,
        );
    });
    return tracer.addUpdate(
      `GradientDescent(lr=${this.learningRate})`,
      vars,
      grads,
      (gs) => {
        const lr = this.learningRate;
        for (let k = 0; k < vars.length; k++) {
          const g = gs[k];
          if (g) descend(vars[k]!, g, lr);
        }
      },
      { learningRate: () => this.learningRate },
    );
  }
}

/** θ ← θ − lr·g in place: a loop over host memory, or the backend's kernels on a device. */
function descend(theta: Variable, g: NDArray, lr: number): void {
  if (!theta.onDevice) {
    const t = theta.buffer;
    const d = g.buffer;
    for (let i = 0; i < t.length; i++) t[i] = t[i]! - lr * d[i]!;
    return;
  }
  // A shader may not read and write one buffer: the step goes to a new array, then back into θ.
  const next = withoutRecording(() => sub(theta, mul(g, lr)));
  kernelsOf(getBackend()).copy([next], {}, theta);
}

/** Tells a GradientDescentOptimizer of another copy of @chainrule/graph. */
export const descentBrand = brandClass(
  GradientDescentOptimizer,
  "GradientDescentOptimizer",
  GRAPH_COPY,
  GRAPH_SHARES,
);

/**
 * Adds the gradients of `loss` and an optimizer step to the graph being traced and returns the train
 * op. `optimizer` is a GradientDescentOptimizer or any optimizer with `params` and `step(grads)` (all of
 * `@chainrule/optim`'s): each run that fetches the op calls `optimizer.step` with the gradients computed
 * in that run, after every other node. `vars` restricts the update to some of the optimizer's params.
 */
export function minimize(
  loss: NDArray,
  optimizer: OptimizerLike | GradientDescentOptimizer,
  vars?: readonly Variable[],
): TrainOp {
  if (optimizer instanceof GradientDescentOptimizer) return optimizer.minimize(loss, vars);
  descentBrand.reject(optimizer, "minimize");
  checkLoss(loss, "minimize");
  if (!optimizer || typeof optimizer.step !== "function" || !Array.isArray(optimizer.params)) {
    throw new TypeError(
      "minimize: the optimizer must be a GradientDescentOptimizer or have params and step(grads)",
    );
  }
  const tracer = currentTracer("minimize");
  const params = optimizer.params;
  const chosen = vars ?? params.filter((p) => p.trainable);
  const at = chosen.map((v) => {
    const i = params.indexOf(v);
    if (i < 0)
      throw new GraphError(`minimize: Variable '${v.name}' is not one of the optimizer's parameters`);
    return i;
  });
  const grads = tracer.gradients(loss, chosen);
  const aligned: (NDArray | null)[] = params.map(() => null);
  at.forEach((i, k) => (aligned[i] = grads[k]!));
  const name = optimizer.name ?? optimizer.constructor?.name ?? "optimizer";
  return tracer.addUpdate(`${name}.step`, params, aligned, (gs) => optimizer.step(gs));
}

export interface TrainStepOptions extends TraceOptions {
  /** The loss as a function of the inputs (a scalar NDArray). */
  loss: (...inputs: NDArray[]) => NDArray;
  /** Example inputs or placeholders, as for `trace`. */
  inputs: readonly (NDArray | Placeholder)[];
  optimizer: OptimizerLike | GradientDescentOptimizer;
  /** The Variables to train (default: the optimizer's trainable params, or every trainable Variable read). */
  params?: readonly Variable[];
}

/**
 * Traces forward pass, backward pass and optimizer update once; each call runs them all and returns
 * `{ loss }` (the loss before the update, in a buffer the next call overwrites).
 */
export function compileTrainStep(
  options: TrainStepOptions,
): TracedFunction<{ loss: NDArray; train: TrainOp }> {
  const { loss: lossFn, inputs, optimizer, params, ...traceOptions } = options;
  if (typeof lossFn !== "function") throw new TypeError("compileTrainStep: options.loss must be a function");
  inputs.forEach((x, i) => placeholderBrand.reject(x, `compileTrainStep: inputs[${i}]`));
  return trace(
    (...xs: NDArray[]) => {
      const loss = lossFn(...xs);
      return { loss, train: minimize(loss, optimizer, params) };
    },
    inputs,
    traceOptions,
  );
}
