import * as np from "@chainrule/ndarray";
import type { NDArray } from "@chainrule/ndarray";

export { relu, sigmoid, tanh, softmax, logSoftmax, leakyRelu } from "@chainrule/ndarray";

/** The identity. */
export const linear = (x: NDArray): NDArray => x;

export type ActivationFn = (x: NDArray) => NDArray;
export type ActivationName = "relu" | "leakyRelu" | "sigmoid" | "tanh" | "softmax" | "logSoftmax" | "linear";
export type ActivationLike = ActivationName | ActivationFn;

const ACTIVATIONS: Record<ActivationName, ActivationFn> = {
  relu: np.relu,
  leakyRelu: (x) => np.leakyRelu(x),
  sigmoid: np.sigmoid,
  tanh: np.tanh,
  softmax: (x) => np.softmax(x, -1),
  logSoftmax: (x) => np.logSoftmax(x, -1),
  linear,
};

/** The function for an activation name (softmax and logSoftmax act on the last axis), or the function itself. */
export function getActivation(a: ActivationLike): ActivationFn {
  if (typeof a === "function") return a;
  const f = Object.prototype.hasOwnProperty.call(ACTIVATIONS, a) ? ACTIVATIONS[a] : undefined;
  if (!f) {
    throw new TypeError(
      `unknown activation '${String(a)}' (expected a function or one of ${Object.keys(ACTIVATIONS).join(", ")})`,
    );
  }
  return f;
}
