import type { Variable } from "@chainrule/autograd";
import { add, getBackend, mul, sub, type NDArray, type TypedArray } from "@chainrule/ndarray";
import { Optimizer, type OptimizerOptions } from "./optimizer";
import type { FloatSlot } from "./state";

export interface SGDOptions extends OptimizerOptions {
  /** Momentum factor μ (default 0: plain SGD, no state kept). */
  momentum?: number;
  /** Dampening τ of the momentum's gradient term (default 0). */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty λ added to the gradient (coupled weight decay). */
  weightDecay?: number;
}

export type SGDHyper = { momentum: number; dampening: number; nesterov: boolean; weightDecay: number };

/**
 * One SGD update, PyTorch's formulation (torch.optim.SGD):
 *   g ← g + λθ
 *   b ← g on a parameter's first update, else μb + (1 − τ)g
 *   g ← g + μb (Nesterov) or b (momentum)
 *   θ ← θ − lr·g
 * `buf` is undefined when momentum is 0.
 */
export function sgdUpdate(
  theta: TypedArray,
  g: ArrayLike<number>,
  buf: FloatSlot | undefined,
  lr: number,
  t: number,
  { momentum, dampening, nesterov, weightDecay }: SGDHyper,
): void {
  for (let i = 0; i < theta.length; i++) {
    const th = theta[i]!;
    let d = weightDecay !== 0 ? g[i]! + weightDecay * th : g[i]!;
    if (buf !== undefined && momentum !== 0) {
      const b = t === 1 ? d : momentum * buf[i]! + (1 - dampening) * d;
      buf[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    theta[i] = th - lr * d;
  }
}

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, as
 * torch.optim.SGD (note: momentum multiplies the learning rate on the way out, unlike Keras' SGD, where it
 * accumulates lr·g; the two agree for a constant learning rate).
 */
export class SGD extends Optimizer<SGDHyper> {
  constructor(params: readonly Variable[], options: SGDOptions) {
    const { momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = options;
    if (momentum < 0) throw new RangeError(`SGD: momentum must be ≥ 0, got ${momentum}`);
    if (nesterov && (momentum <= 0 || dampening !== 0))
      throw new RangeError("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
    // The momentum buffer exists only when momentum is on, so plain SGD keeps no state at all.
    super(
      "SGD",
      params,
      options,
      undefined,
      { momentum, dampening, nesterov, weightDecay },
      momentum ? ["momentum"] : [],
    );
  }

  protected update(i: number, theta: TypedArray, g: ArrayLike<number>, lr: number, t: number): void {
    const buf = this.slots.momentum?.[i];
    this.checkMomentum(buf);
    sgdUpdate(theta, g, buf, lr, t, this.hyper);
  }

  /** On a device: the backend's fused kernel (one shader on WebGPU), else `sgdUpdate` as array ops. */
  protected override updateOnDevice(i: number, g: NDArray, lr: number, t: number): void {
    const param = this.params[i]!;
    const { momentum, dampening, nesterov, weightDecay } = this.hyper;
    this.checkMomentum(this.slots.momentum);
    const buf = momentum !== 0 ? this.deviceSlot("momentum", i) : undefined;
    const step = { param, grad: g, buf, lr, momentum, dampening, nesterov, weightDecay, first: t === 1 };
    if (getBackend().fused?.sgdOnDevice?.(step)) return;
    let d = weightDecay !== 0 ? add(g, mul(param, weightDecay)) : g;
    if (buf !== undefined) {
      buf.assign(t === 1 ? d : add(mul(buf, momentum), mul(d, 1 - dampening)));
      d = nesterov ? add(d, mul(buf, momentum)) : buf;
    }
    param.assign(sub(param, mul(d, lr)));
  }

  private checkMomentum(buf: unknown): void {
    if (buf === undefined && this.hyper.momentum !== 0)
      throw new Error("SGD: momentum was 0 when the optimizer was created; create it with momentum instead");
  }
}
