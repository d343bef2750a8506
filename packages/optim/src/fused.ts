import type { NDArray } from "@chainrule/ndarray";

// The extension point for backends that run Adam themselves (the wasm backend does, in SIMD).
// It lives here, not in @chainrule/ndarray: the array core knows no optimizer. A backend fills it by
// offering `fused.adam`; `import type {} from "@chainrule/optim"` makes the slot visible to its types.

/** One Adam/AdamW step on one parameter, in place (the update `adamUpdate` computes). */
export interface AdamStep {
  param: Float32Array | Float64Array;
  grad: ArrayLike<number>;
  /** First and second moments, updated in place. */
  m: Float32Array | Float64Array;
  v: Float32Array | Float64Array;
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** The parameter's update count, from 1 (bias correction). */
  step: number;
}

/**
 * One Adam/AdamW step on one parameter that lives on a device backend (WebGPU), in place on the device:
 * `param`, `m` and `v` are contiguous arrays that own their storage, `grad` any array of the same shape.
 * The update is `adamUpdate`'s, weight decay included (coupled for Adam, decoupled for AdamW).
 */
export interface AdamDeviceStep {
  param: NDArray;
  grad: NDArray;
  m: NDArray;
  v: NDArray;
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** AdamW: θ ← θ·(1 − lr·λ) before the step; Adam: λθ added to the gradient. */
  decoupled: boolean;
  step: number;
}

declare module "@chainrule/ndarray" {
  interface FusedKernels {
    /** Adam (no weight decay) on one parameter; false when the backend declines these arrays. */
    adam?(s: AdamStep): boolean;
    /** Adam/AdamW on one device-resident parameter (one kernel); false when the backend declines it. */
    adamOnDevice?(s: AdamDeviceStep): boolean;
  }
}
