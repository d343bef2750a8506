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

export interface RMSPropOptions extends OptimizerOptions {
  /** Decay ρ of the squared-gradient average (default 0.9, as Keras/TF; PyTorch's alpha defaults to 0.99). */
  rho?: number;
  /** Added to the root mean square (default 1e-8, as PyTorch; Keras uses 1e-7). */
  epsilon?: number;
  momentum?: number;
  /** Divide by the gradient's estimated variance rather than its raw second moment. */
  centered?: boolean;
  /** L2 penalty added to the gradient. */
  weightDecay?: number;
}

export type RMSPropHyper = {
  rho: number;
  epsilon: number;
  momentum: number;
  centered: boolean;
  weightDecay: number;
};

/**
 * One RMSProp update, PyTorch's formulation (torch.optim.RMSprop, ε outside the square root):
 *   g ← g + λθ
 *   v ← ρv + (1 − ρ)g²;  centered: ḡ ← ρḡ + (1 − ρ)g, v' = v − ḡ², else v' = v
 *   d = g / (√v' + ε)
 *   momentum μ > 0: b ← μb + d, θ ← θ − lr·b;  otherwise θ ← θ − lr·d
 */
export function rmspropUpdate(
  theta: TypedArray,
  g: ArrayLike<number>,
  v: FloatSlot,
  gAvg: FloatSlot | undefined,
  buf: FloatSlot | undefined,
  lr: number,
  { rho, epsilon, momentum, weightDecay }: RMSPropHyper,
): void {
  for (let i = 0; i < theta.length; i++) {
    const th = theta[i]!;
    const gi = weightDecay !== 0 ? g[i]! + weightDecay * th : g[i]!;
    let sq = (v[i] = rho * v[i]! + (1 - rho) * gi * gi);
    if (gAvg !== undefined) {
      const a = (gAvg[i] = rho * gAvg[i]! + (1 - rho) * gi);
      sq -= a * a;
    }
    const d = gi / (Math.sqrt(sq) + epsilon);
    if (buf !== undefined && momentum > 0) theta[i] = th - lr * (buf[i] = momentum * buf[i]! + d);
    else theta[i] = th - lr * d;
  }
}

/** RMSProp (Hinton, Lecture 6e), with optional momentum and centering, as torch.optim.RMSprop. */
export class RMSProp extends Optimizer<RMSPropHyper> {
  constructor(params: readonly Variable[], options: RMSPropOptions = {}) {
    const { rho = 0.9, epsilon = 1e-8, momentum = 0, centered = false, weightDecay = 0 } = options;
    if (!(rho >= 0 && rho < 1)) throw new RangeError(`RMSProp: rho must be in [0, 1), got ${rho}`);
    const slots = ["v", ...(centered ? ["gradAvg"] : []), ...(momentum ? ["momentum"] : [])];
    super("RMSProp", params, options, 1e-3, { rho, epsilon, momentum, centered, weightDecay }, slots);
  }

  protected update(i: number, theta: TypedArray, g: ArrayLike<number>, lr: number): void {
    const { gradAvg, momentum } = this.slots;
    this.checkSlots();
    rmspropUpdate(theta, g, this.slots.v![i]!, gradAvg?.[i], momentum?.[i], lr, this.hyper);
  }

  /** On a device: the backend's fused kernel (one shader on WebGPU), else `rmspropUpdate` as array ops. */
  protected override updateOnDevice(i: number, g: NDArray, lr: number): void {
    this.checkSlots();
    const param = this.params[i]!;
    const { rho, epsilon, momentum, centered, weightDecay } = this.hyper;
    const v = this.deviceSlot("v", i);
    const gradAvg = centered ? this.deviceSlot("gradAvg", i) : undefined;
    const buf = momentum > 0 ? this.deviceSlot("momentum", i) : undefined;
    const step = { param, grad: g, v, gradAvg, buf, lr, rho, epsilon, momentum, weightDecay };
    if (getBackend().fused?.rmspropOnDevice?.(step)) return;
    const gi = weightDecay !== 0 ? add(g, mul(param, weightDecay)) : g;
    v.assign(add(mul(v, rho), mul(square(gi), 1 - rho)));
    let sq: NDArray = v;
    if (gradAvg !== undefined) {
      gradAvg.assign(add(mul(gradAvg, rho), mul(gi, 1 - rho)));
      sq = sub(v, square(gradAvg));
    }
    const d = div(gi, add(sqrt(sq), epsilon));
    if (buf !== undefined) buf.assign(add(mul(buf, momentum), d));
    param.assign(sub(param, mul(buf ?? d, lr)));
  }

  private checkSlots(): void {
    const { gradAvg, momentum } = this.slots;
    if ((this.hyper.centered && !gradAvg) || (this.hyper.momentum && !momentum))
      throw new Error("RMSProp: centered and momentum must be set when the optimizer is created");
  }
}
