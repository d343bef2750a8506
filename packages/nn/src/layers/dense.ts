import { Variable, noGrad } from "@chainrule/autograd";
import { Random, ShapeError, add, matmul, formatShape, type DType, type NDArray } from "@chainrule/ndarray";
import { getActivation, linear, type ActivationFn, type ActivationLike } from "../activations";
import { getInitializer, initialize, type Initializer, type InitializerName } from "../initializers";
import { Module } from "../module";
import { resolveRng, toRng } from "../random";

export interface DenseOptions {
  /** Size of the input's last axis. Without it the weights are created on the first call (as in Keras). */
  inputDim?: number;
  /** Applied after the affine map (default linear). Names: relu, leakyRelu, sigmoid, tanh, softmax, logSoftmax, linear. */
  activation?: ActivationLike;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Default "glorotUniform", as in Keras. */
  kernelInitializer?: InitializerName | Initializer;
  /** Default "zeros". */
  biasInitializer?: InitializerName | Initializer;
  /** dtype of the weights (default float32). */
  dtype?: DType;
  /** Seed for the initialisers (or pass `rng`); without either, forks the default generator. */
  seed?: number | string;
  rng?: Random;
}

/**
 * A fully connected layer: `y = activation(x · kernel + bias)`, with `kernel` of shape `[inputDim, units]`
 * (Keras layout; PyTorch's Linear stores the transpose) and `bias` of shape `[units]`. Works on any
 * leading (batch) axes.
 */
export class Dense extends Module {
  readonly units: number;
  kernel: Variable | undefined = undefined;
  bias: Variable | undefined = undefined;
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly dtype: DType;
  private readonly act: ActivationFn | undefined;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private rng: Random;

  constructor(units: number, options: DenseOptions = {}) {
    super();
    if (!Number.isInteger(units) || units <= 0)
      throw new RangeError(`Dense: units must be a positive integer, got ${units}`);
    this.units = units;
    this.activation = getActivation(options.activation ?? "linear");
    this.act = this.activation === linear ? undefined : this.activation;
    this.useBias = options.useBias ?? true;
    this.dtype = options.dtype ?? "float32";
    this.kernelInit = getInitializer(options.kernelInitializer ?? "glorotUniform");
    this.biasInit = getInitializer(options.biasInitializer ?? "zeros");
    this.rng = resolveRng(options);
    if (options.inputDim !== undefined) this.create(options.inputDim);
  }

  /** True once the weights exist. */
  get built(): boolean {
    return this.kernel !== undefined;
  }

  override inputShape(): readonly number[] | undefined {
    return this.kernel ? [this.kernel.shape[0]!] : undefined;
  }

  private create(inputDim: number): Variable {
    if (!Number.isInteger(inputDim) || inputDim <= 0) {
      throw new RangeError(`Dense: inputDim must be a positive integer, got ${inputDim}`);
    }
    const ctx = { fanIn: inputDim, fanOut: this.units, dtype: this.dtype, rng: this.rng };
    const kernel = new Variable(initialize(this.kernelInit, [inputDim, this.units], ctx), {
      name: "kernel",
      dtype: this.dtype,
    });
    this.kernel = kernel;
    if (this.useBias) {
      this.bias = new Variable(initialize(this.biasInit, [this.units], ctx), {
        name: "bias",
        dtype: this.dtype,
      });
    }
    return kernel;
  }

  /** Takes a new generator and, if built, redraws the weights from it (in place: the Variables stay the same). */
  override reseed(seed: number | string | Random): this {
    this.rng = toRng(seed);
    const { kernel, bias } = this;
    if (kernel) {
      const ctx = { fanIn: kernel.shape[0]!, fanOut: this.units, dtype: this.dtype, rng: this.rng };
      noGrad(() => {
        kernel.assign(initialize(this.kernelInit, kernel.shape, ctx));
        bias?.assign(initialize(this.biasInit, bias.shape, ctx));
      });
    }
    return this;
  }

  forward(x: NDArray): NDArray {
    const kernel = this.kernel ?? this.create(x.shape[x.ndim - 1] ?? 0);
    if (x.shape[x.ndim - 1] !== kernel.shape[0]) {
      throw new ShapeError(
        `Dense(${this.units}): expected inputs with last axis ${kernel.shape[0]}, got shape ${formatShape(x.shape)}`,
      );
    }
    let y = matmul(x, kernel);
    if (this.bias !== undefined) y = add(y, this.bias);
    return this.act === undefined ? y : this.act(y);
  }

  protected override extraRepr(): string {
    const act = this.act ? `, activation=${this.act.name || "fn"}` : "";
    const inDim = this.kernel ? `inputDim=${this.kernel.shape[0]}, ` : "";
    return `${inDim}units=${this.units}${act}${this.useBias ? "" : ", useBias=false"}`;
  }
}
