import { detach, emit, withoutRecording, type NDArray, type Primitive } from "@chainrule/ndarray";

/** Runs `fn` with no tape recording: for evaluation and weight updates. */
export function noGrad<T>(fn: () => T): T {
  return withoutRecording(fn);
}

/** The same values, treated as a constant by every tape. */
export const stopGradient = detach;
export { detach };

export interface CustomGradResult {
  value: NDArray;
  /** Given the gradient of `value`, the gradient of each input (null for none). */
  grad: (dy: NDArray) => NDArray | null | (NDArray | null)[];
}

/**
 * Defines a function with a hand-written gradient, like tf.custom_gradient. The forward pass is
 * not recorded; tapes see one op whose rule is `grad`. Ops inside `grad` are recorded by outer
 * tapes, so a differentiable `grad` gives higher derivatives too.
 */
export function customGrad(f: (...inputs: NDArray[]) => CustomGradResult): (...inputs: NDArray[]) => NDArray {
  return (...inputs: NDArray[]) => {
    const { value, grad } = withoutRecording(() => f(...inputs));
    const prim: Primitive = {
      name: "customGrad",
      vjp: (g) => {
        const r = grad(g);
        return Array.isArray(r) ? r : [r as NDArray | null];
      },
    };
    const out = detach(value);
    emit(prim, inputs, out, undefined);
    return out;
  };
}
