import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { Module } from "@chainrule/nn";

/** Swish (SiLU when β = 1): `x · sigmoid(β·x)`, elementwise. The tape differentiates it: no gradient code. */
export function swish(x: np.NDArray, beta: np.NDArray | number = 1): np.NDArray {
  return np.mul(x, np.sigmoid(np.mul(beta, x)));
}

export interface SwishOptions {
  /** Initial β (default 1). */
  beta?: number;
  /** Learn β (default true); false makes it a fixed buffer. */
  trainable?: boolean;
  /** dtype of β (default float32). */
  dtype?: np.DType;
}

/**
 * The Swish activation of Ramachandran et al. (2017) with one learnable scalar β, for inputs of any shape.
 * β → 0 approaches x/2, β → ∞ approaches ReLU.
 */
export class Swish extends Module {
  beta: Variable;

  constructor(options: SwishOptions = {}) {
    super();
    const dtype = options.dtype ?? "float32";
    if (!np.isFloat(dtype)) throw new TypeError(`Swish: dtype must be float32 or float64, got ${dtype}`);
    this.beta = new Variable(np.full([], options.beta ?? 1, dtype), {
      name: "beta",
      dtype,
      trainable: options.trainable ?? true,
    });
  }

  forward(x: np.NDArray): np.NDArray {
    return swish(x, this.beta);
  }

  protected override extraRepr(): string {
    return `beta=${this.beta.item()}`;
  }
}
