import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { Module } from "@chainrule/nn";

/** The layer's math as a function of arrays: `forward` calls it, the tests check its gradients. */
export function __layer__(x: np.NDArray, scale: np.NDArray): np.NDArray {
  if (x.ndim === 0) throw new np.ShapeError("__Layer__: expected a batch, got a scalar");
  return np.mul(x, scale);
}

export interface __Layer__Options {
  /** Initial value of the trainable scale (default 1). */
  init?: number;
  /** dtype of the parameter (default float32). */
  dtype?: np.DType;
}

/**
 * The template's starter layer, `y = x · scale` with one trainable scalar: replace it with yours. State lives in
 * Variables (Module finds them by property name), `forward` uses public array ops only (the tape differentiates
 * them), and errors name the layer and the shapes.
 */
export class __Layer__ extends Module {
  scale: Variable;

  constructor(options: __Layer__Options = {}) {
    super();
    const dtype = options.dtype ?? "float32";
    this.scale = new Variable(np.full([], options.init ?? 1, dtype), { name: "scale", dtype });
  }

  forward(x: np.NDArray): np.NDArray {
    return __layer__(x, this.scale);
  }
}
