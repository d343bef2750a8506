import { Variable, noGrad } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { ShapeError, formatShape, type DType, type NDArray } from "@chainrule/ndarray";
import { Module } from "../module";

export interface BatchNorm1dOptions {
  /**
   * Weight of the new batch statistic in the running average, PyTorch's convention:
   * running = (1 − momentum)·running + momentum·batch (default 0.1). Keras's `momentum=0.99` is 0.01 here.
   */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a per-feature scale `gamma` (ones) and shift `beta` (zeros) (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation mode (default true); without them, evaluation uses batch statistics. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/**
 * Batch normalisation over `[N, C]` or `[N, C, L]` inputs (features on axis 1, as PyTorch's BatchNorm1d).
 * Training mode normalises with the batch mean and biased variance and updates the running statistics
 * (the running variance is unbiased, n/(n−1), as in PyTorch) with no tape recording; evaluation mode uses
 * the running statistics. `runningMean`/`runningVar` are buffers: non-trainable Variables, saved in the
 * state dict but not parameters.
 */
export class BatchNorm1d extends Module {
  readonly numFeatures: number;
  readonly momentum: number;
  readonly eps: number;
  gamma: Variable | undefined;
  beta: Variable | undefined;
  runningMean: Variable | undefined;
  runningVar: Variable | undefined;

  constructor(numFeatures: number, options: BatchNorm1dOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) {
      throw new RangeError(`BatchNorm1d: numFeatures must be a positive integer, got ${numFeatures}`);
    }
    const {
      momentum = 0.1,
      eps = 1e-5,
      affine = true,
      trackRunningStats = true,
      dtype = "float32",
    } = options;
    if (!(momentum >= 0 && momentum <= 1))
      throw new RangeError(`BatchNorm1d: momentum must be in [0, 1], got ${momentum}`);
    this.numFeatures = numFeatures;
    this.momentum = momentum;
    this.eps = eps;
    const c = [numFeatures];
    this.gamma = affine ? new Variable(np.ones(c, dtype), { name: "gamma" }) : undefined;
    this.beta = affine ? new Variable(np.zeros(c, dtype), { name: "beta" }) : undefined;
    this.runningMean = trackRunningStats
      ? new Variable(np.zeros(c, dtype), { name: "runningMean", trainable: false })
      : undefined;
    this.runningVar = trackRunningStats
      ? new Variable(np.ones(c, dtype), { name: "runningVar", trainable: false })
      : undefined;
  }

  forward(x: NDArray): NDArray {
    const C = this.numFeatures;
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== C) {
      throw new ShapeError(
        `BatchNorm1d(${C}): expected input [N, ${C}] or [N, ${C}, L], got ${formatShape(x.shape)}`,
      );
    }
    const three = x.ndim === 3;
    const axes = three ? [0, 2] : [0];
    // Per-feature arrays broadcast against [N, C] as [C], against [N, C, L] as [C, 1].
    const perFeature = (v: NDArray) => (three ? np.reshape(v, [C, 1]) : v);
    const { gamma, beta, runningMean, runningVar } = this;

    if (!this.training && runningMean !== undefined && runningVar !== undefined) {
      // y = x·scale + shift with scale = gamma/√(var+eps), shift = beta − mean·scale: two full-size ops.
      let scale = np.div(1, np.sqrt(np.add(runningVar, this.eps)));
      if (gamma) scale = np.mul(scale, gamma);
      let shift = np.neg(np.mul(runningMean, scale));
      if (beta) shift = np.add(shift, beta);
      return np.add(np.mul(x, perFeature(scale)), perFeature(shift));
    }

    const n = three ? x.shape[0]! * x.shape[2]! : x.shape[0]!;
    if (n < 2 && this.training) {
      throw new ShapeError(
        `BatchNorm1d: training mode needs more than one value per feature, got input ${formatShape(x.shape)} (use eval())`,
      );
    }
    const mean = np.mean(x, axes, true);
    const xc = np.sub(x, mean);
    const v = np.mean(np.mul(xc, xc), axes, true);
    let scale = np.div(1, np.sqrt(np.add(v, this.eps)));
    if (gamma) scale = np.mul(scale, perFeature(gamma));
    let y = np.mul(xc, scale);
    if (beta) y = np.add(y, perFeature(beta));

    if (this.training && runningMean !== undefined && runningVar !== undefined) {
      const m = this.momentum;
      noGrad(() => {
        runningMean.assign(np.add(np.mul(runningMean, 1 - m), np.mul(np.reshape(mean, [C]), m)));
        runningVar.assign(np.add(np.mul(runningVar, 1 - m), np.mul(np.reshape(v, [C]), (m * n) / (n - 1))));
      });
    }
    return y;
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, momentum=${this.momentum}, eps=${this.eps}`;
  }
}
