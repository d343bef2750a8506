import { add, clip, div, maximum, mul, sqrt, square, sum, type NDArray } from "@chainrule/ndarray";

type Grads = readonly (NDArray | null)[];

/** The Euclidean norm of all gradients taken together (nulls count as absent), accumulated in float64. */
export function globalNorm(grads: readonly (NDArray | null | undefined)[]): number {
  let sq = 0;
  for (const g of grads) {
    if (g === null || g === undefined) continue;
    const d = g.dataSync();
    for (let i = 0; i < d.length; i++) sq += d[i]! * d[i]!;
  }
  return Math.sqrt(sq);
}

/** The factor that brings a global norm down to `maxNorm` (1 when it is already within it). */
export function clipScale(norm: number, maxNorm: number): number {
  // TensorFlow's exact form (PyTorch adds 1e-6 to the norm): maxNorm / max(norm, maxNorm).
  return maxNorm / Math.max(norm, maxNorm);
}

/**
 * Rescales the gradients together so that their global norm is at most `maxNorm`, as
 * `tf.clip_by_global_norm` / `torch.nn.utils.clip_grad_norm_` (without its 1e-6). Returns the clipped
 * gradients (the same arrays when no clipping was needed; nulls pass through) and the norm before clipping.
 */
export function clipByGlobalNorm<G extends Grads>(grads: G, maxNorm: number): { grads: G; norm: number } {
  if (!(maxNorm >= 0)) throw new RangeError(`clipByGlobalNorm: maxNorm must be ≥ 0, got ${maxNorm}`);
  const norm = globalNorm(grads);
  const scale = clipScale(norm, maxNorm);
  if (scale === 1) return { grads, norm };
  return { grads: grads.map((g) => (g === null ? null : mul(g, scale))) as unknown as G, norm };
}

/** Clamps every gradient element to [min, max]; nulls pass through. */
export function clipByValue<G extends Grads>(grads: G, min: number, max: number): G {
  if (!(min <= max)) throw new RangeError(`clipByValue: min (${min}) must be ≤ max (${max})`);
  return grads.map((g) => (g === null ? null : clip(g, min, max))) as unknown as G;
}

/**
 * `clipNorm` then `clipValue` as array ops, for gradients on a device backend (whose values cannot be read
 * synchronously): the global norm and the scale maxNorm / max(norm, maxNorm) stay 0-d arrays on the device.
 */
export function clipOnDevice(grads: Gradients, clipNorm?: number, clipValue?: number): (NDArray | null)[] {
  let out: (NDArray | null)[] = grads.map((g) => g ?? null);
  if (clipNorm !== undefined) {
    const present = out.filter((g): g is NDArray => g !== null);
    if (present.length > 0) {
      const sq = present.map((g) => sum(square(g))).reduce((a, b) => add(a, b));
      const norm = sqrt(sq);
      const scale = div(clipNorm, maximum(norm, clipNorm));
      out = out.map((g) => (g === null ? null : mul(g, scale)));
    }
  }
  if (clipValue !== undefined) out = out.map((g) => (g === null ? null : clip(g, -clipValue, clipValue)));
  return out;
}

type Gradients = readonly (NDArray | null | undefined)[];
