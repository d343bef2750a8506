import type { Variable } from "@chainrule/autograd";
import {
  add,
  div,
  getBackend,
  mul,
  sqrt,
  square,
  sub,
  type NDArray,
  type TypedArray,
} from "@chainrule/ndarray";
import { Optimizer, type OptimizerOptions } from "./optimizer";
import type { FloatSlot } from "./state";

export interface AdagradOptions extends OptimizerOptions {
  /** Starting value of the squared-gradient sum (default 0, as PyTorch; Keras/TF use 0.1). */
  initialAccumulatorValue?: number;
  /** Added to the root of the sum (default 1e-10, as PyTorch). */
  epsilon?: number;
  /** L2 penalty added to the gradient. */
  weightDecay?: number;
}

export type AdagradHyper = { epsilon: number; weightDecay: number };

/**
 * One Adagrad update (Duchi et al., 2011), PyTorch's formulation:
 *   g ← g + λθ,  s ← s + g²,  θ ← θ − lr · g / (√s + ε)
 */
export function adagradUpdate(
  theta: TypedArray,
  g: ArrayLike<number>,
  sum: FloatSlot,
  lr: number,
  { epsilon, weightDecay }: AdagradHyper,
): void {
  for (let i = 0; i < theta.length; i++) {
    const th = theta[i]!;
    const gi = weightDecay !== 0 ? g[i]! + weightDecay * th : g[i]!;
    const s = (sum[i] = sum[i]! + gi * gi);
    theta[i] = th - (lr * gi) / (Math.sqrt(s) + epsilon);
  }
}

/** Adagrad: per-element learning rates that shrink with the sum of squared gradients (torch.optim.Adagrad). */
export class Adagrad extends Optimizer<AdagradHyper> {
  constructor(params: readonly Variable[], options: AdagradOptions = {}) {
    const { initialAccumulatorValue = 0, epsilon = 1e-10, weightDecay = 0 } = options;
    if (!(initialAccumulatorValue >= 0))
      throw new RangeError(`Adagrad: initialAccumulatorValue must be ≥ 0, got ${initialAccumulatorValue}`);
    super("Adagrad", params, options, 1e-2, { epsilon, weightDecay }, ["sum"]);
    for (const s of this.slots.sum!) s.fill(initialAccumulatorValue);
    this.slotFill.sum = initialAccumulatorValue; // device-resident sums start there too
  }

  protected update(i: number, theta: TypedArray, g: ArrayLike<number>, lr: number): void {
    adagradUpdate(theta, g, this.slots.sum![i]!, lr, this.hyper);
  }

  /** On a device: the backend's fused kernel (one shader on WebGPU), else `adagradUpdate` as array ops. */
  protected override updateOnDevice(i: number, g: NDArray, lr: number): void {
    const param = this.params[i]!;
    const { epsilon, weightDecay } = this.hyper;
    const sum = this.deviceSlot("sum", i);
    if (getBackend().fused?.adagradOnDevice?.({ param, grad: g, sum, lr, epsilon, weightDecay })) return;
    const gi = weightDecay !== 0 ? add(g, mul(param, weightDecay)) : g;
    sum.assign(add(sum, square(gi)));
    param.assign(sub(param, div(mul(gi, lr), add(sqrt(sum), epsilon))));
  }
}
