import { noGrad, Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { Random, ShapeError, formatShape, type DType, type NDArray } from "@chainrule/ndarray";
import {
  getActivation,
  getInitializer,
  initialize,
  linear,
  Module,
  type ActivationFn,
  type ActivationLike,
  type Initializer,
  type InitializerName,
} from "@chainrule/nn";
import { biasRelu } from "./bias-relu";
import { pair, type Padding, type Pair } from "./geometry";
import { avgPool2dNamed, conv2dNamed, globalAvgPool2dNamed, maxPool2dNamed } from "./ops";

/** `rng`, else a generator from `seed`, else a fork of @chainrule/nn's default generator (`manualSeed`). */
function resolveRng(options: { seed?: number | string; rng?: Random }): Random {
  if (options.rng !== undefined) return options.rng;
  if (options.seed !== undefined) return new Random(options.seed);
  // `initialize` hands an initialiser a fork of nn's default generator when given no seed or rng: keep it.
  let rng: Random | undefined;
  initialize((shape, ctx) => ((rng = ctx.rng), np.zeros(shape, ctx.dtype)), [0]);
  return rng!;
}

const toRng = (seed: number | string | Random): Random => (seed instanceof Random ? seed : new Random(seed));

function checkInputShape(shape: readonly number[] | undefined, who: string): readonly number[] | undefined {
  if (shape === undefined) return undefined;
  if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ShapeError(`${who}: inputShape must be [H, W, C] (one NHWC sample), got ${formatShape(shape)}`);
  }
  return [...shape];
}

export interface Conv2DOptions {
  /** Step between windows (default 1). */
  strides?: Pair;
  /** `"valid"` (default, as Keras) or `"same"` (output `ceil(in / stride)`, TensorFlow's padding). */
  padding?: Padding;
  /** Spacing between kernel taps (default 1). */
  dilationRate?: Pair;
  /** Applied after the convolution (default linear): a name as for Dense, or a function. */
  activation?: ActivationLike;
  /** Add a bias per filter (default true). */
  useBias?: boolean;
  /** Default "glorotUniform" (Keras's); fans are kh·kw·inChannels and kh·kw·filters. */
  kernelInitializer?: InitializerName | Initializer;
  /** Default "zeros". */
  biasInitializer?: InitializerName | Initializer;
  /** One sample's shape `[H, W, C]`: creates the weights now and lets `summary()`/`build()` run without one. */
  inputShape?: readonly number[];
  /** Input channels, when the weights should exist before the first call but H and W are not fixed. */
  inputChannels?: number;
  /** dtype of the weights (default float32). */
  dtype?: DType;
  /** Seed for the initialisers (or pass `rng`); without either, forks @chainrule/nn's default generator. */
  seed?: number | string;
  rng?: Random;
}

/**
 * 2-D convolution layer over NHWC inputs `[N, H, W, C]` → `[N, outH, outW, filters]`:
 * `activation(conv2d(x, kernel) + bias)`, with `kernel` of shape `[kh, kw, C, filters]` (Keras layout) and
 * `bias` of shape `[filters]`. Without `inputShape` or `inputChannels` the weights are created on the first call.
 */
export class Conv2D extends Module {
  readonly filters: number;
  readonly kernelSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: Padding;
  readonly dilationRate: readonly [number, number];
  readonly useBias: boolean;
  readonly dtype: DType;
  readonly activation: ActivationFn;
  kernel: Variable | undefined = undefined;
  bias: Variable | undefined = undefined;
  private readonly declaredInput: readonly number[] | undefined;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private rng: Random;

  constructor(filters: number, kernelSize: Pair, options: Conv2DOptions = {}) {
    super();
    if (!Number.isInteger(filters) || filters <= 0) {
      throw new RangeError(`Conv2D: filters must be a positive integer, got ${filters}`);
    }
    this.filters = filters;
    this.kernelSize = pair(kernelSize, "kernel size", "Conv2D");
    this.strides = pair(options.strides ?? 1, "strides", "Conv2D");
    this.dilationRate = pair(options.dilationRate ?? 1, "dilation rate", "Conv2D");
    this.padding = options.padding ?? "valid";
    if (this.padding !== "valid" && this.padding !== "same") {
      throw new RangeError(`Conv2D: padding must be "valid" or "same", got ${String(this.padding)}`);
    }
    this.activation = getActivation(options.activation ?? "linear");
    this.useBias = options.useBias ?? true;
    this.dtype = options.dtype ?? "float32";
    this.kernelInit = getInitializer(options.kernelInitializer ?? "glorotUniform");
    this.biasInit = getInitializer(options.biasInitializer ?? "zeros");
    this.rng = resolveRng(options);
    this.declaredInput = checkInputShape(options.inputShape, this.describe());
    const channels = options.inputChannels ?? this.declaredInput?.[2];
    if (
      options.inputChannels !== undefined &&
      this.declaredInput &&
      options.inputChannels !== this.declaredInput[2]
    ) {
      throw new ShapeError(
        `${this.describe()}: inputChannels ${options.inputChannels} disagrees with inputShape ${formatShape(this.declaredInput)}`,
      );
    }
    if (channels !== undefined) this.create(channels);
  }

  /** True once the weights exist. */
  get built(): boolean {
    return this.kernel !== undefined;
  }

  override inputShape(): readonly number[] | undefined {
    return this.declaredInput;
  }

  private describe(): string {
    return `Conv2D(${this.filters}, ${this.kernelSize.join("×")})`;
  }

  private context(channels: number) {
    const [kh, kw] = this.kernelSize;
    return { fanIn: kh * kw * channels, fanOut: kh * kw * this.filters, dtype: this.dtype, rng: this.rng };
  }

  private create(channels: number): Variable {
    if (!Number.isInteger(channels) || channels <= 0) {
      throw new RangeError(`${this.describe()}: input channels must be a positive integer, got ${channels}`);
    }
    const ctx = this.context(channels);
    const shape = [...this.kernelSize, channels, this.filters];
    const kernel = new Variable(initialize(this.kernelInit, shape, ctx), {
      name: "kernel",
      dtype: this.dtype,
    });
    this.kernel = kernel;
    if (this.useBias) {
      this.bias = new Variable(initialize(this.biasInit, [this.filters], ctx), {
        name: "bias",
        dtype: this.dtype,
      });
    }
    return kernel;
  }

  /** Takes a new generator and, if built, redraws the weights from it in place (the Variables stay the same). */
  override reseed(seed: number | string | Random): this {
    this.rng = toRng(seed);
    const { kernel, bias } = this;
    if (kernel) {
      const ctx = this.context(kernel.shape[2]!);
      noGrad(() => {
        kernel.assign(initialize(this.kernelInit, kernel.shape, ctx));
        bias?.assign(initialize(this.biasInit, bias.shape, ctx));
      });
    }
    return this;
  }

  forward(x: NDArray): NDArray {
    if (x.ndim !== 4) {
      throw new ShapeError(
        `${this.describe()}: expected an NHWC input [N, H, W, C] (4-D), got shape ${formatShape(x.shape)}`,
      );
    }
    const kernel = this.kernel ?? this.create(x.shape[3]!);
    if (x.shape[3] !== kernel.shape[2]) {
      throw new ShapeError(
        `${this.describe()}: expected ${kernel.shape[2]} input channels (last axis, NHWC), got shape ${formatShape(x.shape)}`,
      );
    }
    // A bias followed by ReLU runs as one primitive (one pass, one backend kernel) instead of add + relu.
    const fuse = this.activation === np.relu && this.bias !== undefined;
    const options = {
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      bias: fuse ? undefined : this.bias,
    };
    const y = conv2dNamed(x, kernel, options, this.describe());
    if (fuse) return biasRelu([y, this.bias!], {});
    return this.activation === linear ? y : this.activation(y);
  }

  protected override extraRepr(): string {
    const parts = [`${this.filters}`, `kernelSize=${this.kernelSize.join("×")}`];
    if (this.kernel) parts.unshift(`inChannels=${this.kernel.shape[2]}`);
    if (this.strides.some((s) => s !== 1)) parts.push(`strides=${this.strides.join("×")}`);
    if (this.padding !== "valid") parts.push(`padding=${this.padding}`);
    if (this.dilationRate.some((d) => d !== 1)) parts.push(`dilationRate=${this.dilationRate.join("×")}`);
    if (this.activation !== linear) parts.push(`activation=${this.activation.name || "fn"}`);
    if (!this.useBias) parts.push("useBias=false");
    return parts.join(", ");
  }
}

export interface Pool2DOptions {
  /** Step between windows (default: the pool size, as Keras). */
  strides?: Pair;
  /** `"valid"` (default) or `"same"`; padded positions never count. */
  padding?: Padding;
  /** One sample's shape `[H, W, C]`, for `summary()`/`build()` when this is the first layer. */
  inputShape?: readonly number[];
}

abstract class Pool2D extends Module {
  readonly poolSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: Padding;
  private readonly declaredInput: readonly number[] | undefined;
  private readonly kind: string;

  constructor(kind: string, poolSize: Pair, options: Pool2DOptions) {
    super();
    this.kind = kind;
    this.poolSize = pair(poolSize, "pool size", kind);
    this.strides = pair(options.strides ?? this.poolSize, "strides", kind);
    this.padding = options.padding ?? "valid";
    if (this.padding !== "valid" && this.padding !== "same") {
      throw new RangeError(`${kind}: padding must be "valid" or "same", got ${String(this.padding)}`);
    }
    this.declaredInput = checkInputShape(options.inputShape, kind);
  }

  override inputShape(): readonly number[] | undefined {
    return this.declaredInput;
  }

  protected describe(): string {
    return `${this.kind}(${this.poolSize.join("×")})`;
  }

  protected options() {
    return { poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }

  protected override extraRepr(): string {
    const same = this.strides[0] === this.poolSize[0] && this.strides[1] === this.poolSize[1];
    return [
      `poolSize=${this.poolSize.join("×")}`,
      ...(same ? [] : [`strides=${this.strides.join("×")}`]),
      ...(this.padding === "valid" ? [] : [`padding=${this.padding}`]),
    ].join(", ");
  }
}

/** Max pooling over NHWC inputs: `[N, H, W, C]` → `[N, outH, outW, C]`; gradients go to each window's maximum. */
export class MaxPool2D extends Pool2D {
  constructor(poolSize: Pair = 2, options: Pool2DOptions = {}) {
    super("MaxPool2D", poolSize, options);
  }

  forward(x: NDArray): NDArray {
    return maxPool2dNamed(x, this.options(), this.describe());
  }
}

/** Average pooling over NHWC inputs: `[N, H, W, C]` → `[N, outH, outW, C]`; padding is left out of the mean. */
export class AvgPool2D extends Pool2D {
  constructor(poolSize: Pair = 2, options: Pool2DOptions = {}) {
    super("AvgPool2D", poolSize, options);
  }

  forward(x: NDArray): NDArray {
    return avgPool2dNamed(x, this.options(), this.describe());
  }
}

export interface GlobalAvgPool2DOptions {
  /** Keep the spatial axes as size 1: `[N, 1, 1, C]` (default false: `[N, C]`). */
  keepdims?: boolean;
  /** One sample's shape `[H, W, C]`, for `summary()`/`build()` when this is the first layer. */
  inputShape?: readonly number[];
}

/** The mean over the spatial axes of NHWC inputs: `[N, H, W, C]` → `[N, C]`. */
export class GlobalAvgPool2D extends Module {
  readonly keepdims: boolean;
  private readonly declaredInput: readonly number[] | undefined;

  constructor(options: GlobalAvgPool2DOptions = {}) {
    super();
    this.keepdims = options.keepdims ?? false;
    this.declaredInput = checkInputShape(options.inputShape, "GlobalAvgPool2D");
  }

  override inputShape(): readonly number[] | undefined {
    return this.declaredInput;
  }

  forward(x: NDArray): NDArray {
    return globalAvgPool2dNamed(x, this.keepdims, "GlobalAvgPool2D");
  }

  protected override extraRepr(): string {
    return this.keepdims ? "keepdims=true" : "";
  }
}
