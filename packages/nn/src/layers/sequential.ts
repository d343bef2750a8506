import type { NDArray } from "@chainrule/ndarray";
import { Random } from "@chainrule/ndarray";
import { Module, moduleBrand } from "../module";
import { toRng } from "../random";

export interface SequentialOptions {
  /**
   * Reseeds every layer from one generator (layer i gets the i-th `fork()`, layers added later the next ones),
   * so the whole model is reproducible from one number. Overrides the layers' own seeds.
   */
  seed?: number | string;
  rng?: Random;
}

/** Layers applied in order: `new Sequential([new Dense(256, { inputDim: 784, activation: "relu" }), new Dense(10)])`. */
export class Sequential extends Module {
  readonly layers: Module[] = [];
  private rng: Random | undefined;

  constructor(layers: readonly Module[] = [], options: SequentialOptions = {}) {
    super();
    this.rng = options.rng ?? (options.seed !== undefined ? new Random(options.seed) : undefined);
    for (const layer of layers) this.add(layer);
  }

  /** Appends a layer (reseeded from the model's generator when the model has a seed). */
  add(layer: Module): this {
    moduleBrand.reject(layer, "Sequential.add");
    if (!(layer instanceof Module))
      throw new TypeError(`Sequential.add: expected a Module, got ${String(layer)}`);
    this.layers.push(layer);
    if (this.rng) layer.reseed(this.rng.fork());
    if (!this.training) layer.eval();
    // Build as soon as the input shape is known, so `parameters()` is complete before the first call:
    // an optimizer created from it would otherwise never see the lazily built layers' weights.
    if (!this.built && this.inputShape() !== undefined) this.build();
    return this;
  }

  forward(x: NDArray): NDArray {
    const layers = this.layers;
    let y = x;
    for (let i = 0; i < layers.length; i++) y = layers[i]!.call(y);
    return y;
  }

  override reseed(seed: number | string | Random): this {
    this.rng = toRng(seed);
    for (const layer of this.layers) layer.reseed(this.rng.fork());
    return this;
  }

  override inputShape(): readonly number[] | undefined {
    return this.layers[0]?.inputShape();
  }

  /** Whether every layer's weights exist. */
  get built(): boolean {
    return this.layers.every((l) => (l as { built?: boolean }).built !== false);
  }

  /** summary() names rows the Keras way (dense, dense_1, …). */
  get summaryNames(): "keras" {
    return "keras";
  }
}
