import { NDArray, Random, isFloat, mul } from "@chainrule/ndarray";
import { Module } from "../module";
import { resolveRng, toRng } from "../random";

export interface DropoutOptions {
  /** Seed for the masks (or pass `rng`); without either, forks the default generator. */
  seed?: number | string;
  rng?: Random;
}

/**
 * Inverted dropout: in training mode each element is zeroed with probability `rate` and the survivors are
 * scaled by 1/(1 − rate), so evaluation mode is the identity (it returns its input unchanged).
 * Masks come from the layer's own seeded generator: the same seed gives the same masks.
 */
export class Dropout extends Module {
  readonly rate: number;
  private rng: Random;

  constructor(rate: number, options: DropoutOptions = {}) {
    super();
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`Dropout: rate must be in [0, 1], got ${rate}`);
    this.rate = rate;
    this.rng = resolveRng(options);
  }

  override reseed(seed: number | string | Random): this {
    this.rng = toRng(seed);
    return this;
  }

  forward(x: NDArray): NDArray {
    if (!this.training || this.rate === 0) return x;
    const keep = 1 - this.rate;
    const scale = keep === 0 ? 0 : 1 / keep;
    const mask = NDArray.empty(x.shape, isFloat(x.dtype) ? x.dtype : "float32");
    const b = mask.buffer;
    const rng = this.rng;
    for (let i = 0; i < b.length; i++) b[i] = rng.random() < keep ? scale : 0;
    return mul(x, mask);
  }

  protected override extraRepr(): string {
    return `rate=${this.rate}`;
  }
}
