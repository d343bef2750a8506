import type { NDArray } from "@chainrule/ndarray";

// The extension point for backends that run optimizer updates themselves (the wasm backend runs Adam in SIMD;
// the webgpu one runs every optimizer's update on device-resident parameters as one shader).
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

/**
 * One SGD step on a device-resident parameter (`sgdUpdate`'s): `buf` is the momentum buffer (absent when
 * momentum is 0), `first` says it is the parameter's first update (the buffer starts as the gradient).
 */
export interface SgdDeviceStep {
  param: NDArray;
  grad: NDArray;
  buf?: NDArray;
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  first: boolean;
}

/** One RMSProp step on a device-resident parameter (`rmspropUpdate`'s); optional slots as there. */
export interface RmspropDeviceStep {
  param: NDArray;
  grad: NDArray;
  v: NDArray;
  /** Centered: the running mean of the gradient. */
  gradAvg?: NDArray;
  /** Momentum > 0: the buffer of g/(√v + ε). */
  buf?: NDArray;
  lr: number;
  rho: number;
  epsilon: number;
  momentum: number;
  weightDecay: number;
}

/** One Adagrad step on a device-resident parameter (`adagradUpdate`'s). */
export interface AdagradDeviceStep {
  param: NDArray;
  grad: NDArray;
  sum: NDArray;
  lr: number;
  epsilon: number;
  weightDecay: number;
}

declare module "@chainrule/ndarray" {
  interface FusedKernels {
    /** Adam (no weight decay) on one parameter; false when the backend declines these arrays. */
    adam?(s: AdamStep): boolean;
    /** Adam/AdamW on one device-resident parameter (one kernel); false when the backend declines it. */
    adamOnDevice?(s: AdamDeviceStep): boolean;
    /** SGD (momentum, Nesterov, L2) on one device-resident parameter; false when declined. */
    sgdOnDevice?(s: SgdDeviceStep): boolean;
    /** RMSProp (centered, momentum, L2) on one device-resident parameter; false when declined. */
    rmspropOnDevice?(s: RmspropDeviceStep): boolean;
    /** Adagrad (L2) on one device-resident parameter; false when declined. */
    adagradOnDevice?(s: AdagradDeviceStep): boolean;
  }
}
