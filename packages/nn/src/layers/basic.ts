import * as np from "@chainrule/ndarray";
import { ShapeError, type NDArray } from "@chainrule/ndarray";
import { getActivation, type ActivationFn, type ActivationLike } from "../activations";
import { Module } from "../module";

export interface ShapeLayerOptions {
  /** Shape of one input sample (no batch axis), for `summary()`/`build()` when this is the first layer. */
  inputShape?: readonly number[];
}

/** Flattens every axis but the first (the batch): `[N, 28, 28]` → `[N, 784]`. A view when possible. */
export class Flatten extends Module {
  private readonly declaredInput: readonly number[] | undefined;

  constructor(options: ShapeLayerOptions = {}) {
    super();
    this.declaredInput = options.inputShape ? [...options.inputShape] : undefined;
  }

  override inputShape(): readonly number[] | undefined {
    return this.declaredInput;
  }

  forward(x: NDArray): NDArray {
    if (x.ndim === 0) throw new ShapeError("Flatten: needs at least a batch axis, got a scalar");
    let rest = 1;
    for (let i = 1; i < x.ndim; i++) rest *= x.shape[i]!;
    return np.reshape(x, [x.shape[0]!, rest]);
  }
}

/** Reshapes each sample (the batch axis is kept): `new Reshape([28, 28])` maps `[N, 784]` to `[N, 28, 28]`. */
export class Reshape extends Module {
  readonly targetShape: readonly number[];
  private readonly declaredInput: readonly number[] | undefined;

  constructor(targetShape: readonly number[], options: ShapeLayerOptions = {}) {
    super();
    if (
      targetShape.filter((d) => d === -1).length > 1 ||
      targetShape.some((d) => !Number.isInteger(d) || d < -1)
    ) {
      throw new ShapeError(`Reshape: invalid target shape [${targetShape.join(", ")}] (one -1 at most)`);
    }
    this.targetShape = [...targetShape];
    this.declaredInput = options.inputShape ? [...options.inputShape] : undefined;
  }

  override inputShape(): readonly number[] | undefined {
    return this.declaredInput;
  }

  forward(x: NDArray): NDArray {
    if (x.ndim === 0) throw new ShapeError("Reshape: needs at least a batch axis, got a scalar");
    return np.reshape(x, [x.shape[0]!, ...this.targetShape]);
  }

  protected override extraRepr(): string {
    return `[${this.targetShape.join(", ")}]`;
  }
}

/** Applies an activation by name or function: `new Activation("relu")`. */
export class Activation extends Module {
  readonly fn: ActivationFn;

  constructor(activation: ActivationLike) {
    super();
    this.fn = getActivation(activation);
  }

  forward(x: NDArray): NDArray {
    return this.fn(x);
  }

  protected override extraRepr(): string {
    return this.fn.name;
  }
}

/** max(x, 0). */
export class ReLU extends Module {
  forward(x: NDArray): NDArray {
    return np.relu(x);
  }
}

/** x for x > 0, `alpha`·x otherwise (default alpha 0.2, as `np.leakyRelu` and TF.js; PyTorch uses 0.01). */
export class LeakyReLU extends Module {
  constructor(readonly alpha = 0.2) {
    super();
  }

  forward(x: NDArray): NDArray {
    return np.leakyRelu(x, this.alpha);
  }

  protected override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** 1 / (1 + e^-x), stable on both tails. */
export class Sigmoid extends Module {
  forward(x: NDArray): NDArray {
    return np.sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: NDArray): NDArray {
    return np.tanh(x);
  }
}

/** softmax along `axis` (default the last). */
export class Softmax extends Module {
  constructor(readonly axis = -1) {
    super();
  }

  forward(x: NDArray): NDArray {
    return np.softmax(x, this.axis);
  }
}

/** log-softmax along `axis` (default the last): x − logsumexp(x). */
export class LogSoftmax extends Module {
  constructor(readonly axis = -1) {
    super();
  }

  forward(x: NDArray): NDArray {
    return np.logSoftmax(x, this.axis);
  }
}
