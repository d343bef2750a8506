import type { Variable } from "@chainrule/autograd";
import { add, div, getBackend, mul, sqrt, sub, type NDArray, type TypedArray } from "@chainrule/ndarray";
import { Optimizer, type OptimizerOptions } from "./optimizer";
import type { FloatSlot } from "./state";

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Adam: L2 penalty added to the gradient (coupled). AdamW: decoupled decay rate λ. */
  weightDecay?: number;
}

export type AdamHyper = { beta1: number; beta2: number; epsilon: number; weightDecay: number };

/**
 * One Adam update, Kingma & Ba (2015) Algorithm 1, with `t` the parameter's update count:
 *   g ← g + λθ                     (Adam's coupled L2; skipped when decoupled)
 *   θ ← θ · (1 − lr·λ)             (AdamW, decoupled: Loshchilov & Hutter, PyTorch's form, before the Adam step)
 *   m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²
 *   m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)
 *   θ ← θ − lr · m̂ / (√v̂ + ε)
 * The single function a fused kernel would replace.
 */
export function adamUpdate(
  theta: TypedArray,
  g: ArrayLike<number>,
  m: FloatSlot,
  v: FloatSlot,
  lr: number,
  t: number,
  { beta1, beta2, epsilon, weightDecay }: AdamHyper,
  decoupled: boolean,
): void {
  const bc1 = 1 - beta1 ** t;
  const step = lr / bc1;
  const invBc2 = 1 / (1 - beta2 ** t);
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  const n = theta.length;
  if (weightDecay === 0) {
    // The common case, kept free of per-element branches: one division and one square root each.
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      const mi = (m[i] = beta1 * m[i]! + c1 * gi);
      const vi = (v[i] = beta2 * v[i]! + c2 * gi * gi);
      theta[i] = theta[i]! - (step * mi) / (Math.sqrt(vi * invBc2) + epsilon);
    }
    return;
  }
  const l2 = decoupled ? 0 : weightDecay;
  const decay = decoupled ? 1 - lr * weightDecay : 1;
  for (let i = 0; i < n; i++) {
    const th = theta[i]! * decay;
    const gi = g[i]! + l2 * theta[i]!;
    const mi = (m[i] = beta1 * m[i]! + c1 * gi);
    const vi = (v[i] = beta2 * v[i]! + c2 * gi * gi);
    theta[i] = th - (step * mi) / (Math.sqrt(vi * invBc2) + epsilon);
  }
}

/** Adam and AdamW share everything but the kind of weight decay. */
abstract class AdamFamily extends Optimizer<AdamHyper> {
  protected constructor(
    name: string,
    private readonly decoupled: boolean,
    params: readonly Variable[],
    options: AdamOptions,
    defaultDecay: number,
  ) {
    const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = defaultDecay } = options;
    for (const [k, b] of [
      ["beta1", beta1],
      ["beta2", beta2],
    ] as const)
      if (!(b >= 0 && b < 1)) throw new RangeError(`${name}: ${k} must be in [0, 1), got ${b}`);
    super(name, params, options, 1e-3, { beta1, beta2, epsilon, weightDecay }, ["m", "v"]);
  }

  protected update(i: number, theta: TypedArray, g: ArrayLike<number>, lr: number, t: number): void {
    const m = this.slots.m![i]!;
    const v = this.slots.v![i]!;
    const { beta1, beta2, epsilon, weightDecay } = this.hyper;
    // A backend may run the whole update itself (the wasm one does, in SIMD); it declines what it cannot.
    const fused = weightDecay === 0 ? getBackend().fused?.adam : undefined;
    const param = theta as Float32Array | Float64Array; // parameters are float (checked on construction)
    if (fused?.({ param, grad: g, m, v, lr, beta1, beta2, epsilon, step: t })) return;
    adamUpdate(theta, g, m, v, lr, t, this.hyper, this.decoupled);
  }

  /** On a device: the backend's fused kernel (one shader on WebGPU), else the same update as array ops. */
  protected override updateOnDevice(i: number, g: NDArray, lr: number, t: number): void {
    const param = this.params[i]!;
    const m = this.deviceSlot("m", i);
    const v = this.deviceSlot("v", i);
    const { beta1, beta2, epsilon, weightDecay } = this.hyper;
    const step = { param, grad: g, m, v, lr, beta1, beta2, epsilon, weightDecay, step: t };
    if (getBackend().fused?.adamOnDevice?.({ ...step, decoupled: this.decoupled })) return;
    const l2 = this.decoupled ? 0 : weightDecay;
    const gi = l2 === 0 ? g : add(g, mul(param, l2));
    m.assign(add(mul(m, beta1), mul(gi, 1 - beta1)));
    v.assign(add(mul(v, beta2), mul(mul(gi, gi), 1 - beta2)));
    const theta = this.decoupled && weightDecay !== 0 ? mul(param, 1 - lr * weightDecay) : param;
    const denom = add(sqrt(mul(v, 1 / (1 - beta2 ** t))), epsilon);
    param.assign(sub(theta, div(mul(m, lr / (1 - beta1 ** t)), denom)));
  }
}

/**
 * Adam (Kingma & Ba, 2015) with the paper's bias correction. `weightDecay` (default 0) is an L2 term added
 * to the gradient, as torch.optim.Adam; for decoupled weight decay use AdamW.
 */
export class Adam extends AdamFamily {
  constructor(params: readonly Variable[], options: AdamOptions = {}) {
    super("Adam", false, params, options, 0);
  }
}

/**
 * AdamW (Loshchilov & Hutter, 2019), as torch.optim.AdamW: each update first shrinks the weights,
 * θ ← θ·(1 − lr·λ), then takes the Adam step from the gradient alone. λ is `weightDecay` (default 1e-2) and is
 * multiplied by the (scheduled) learning rate, as in PyTorch; the paper's schedule multiplier η_t is lr here.
 */
export class AdamW extends AdamFamily {
  constructor(params: readonly Variable[], options: AdamOptions = {}) {
    super("AdamW", true, params, options, 1e-2);
  }
}
