import { Random } from "@chainrule/ndarray";

// Per-module-instance state (never on globalThis): the generator that layers built without a `seed` or
// `rng` fork from. Seeded from Math.random at load, like PyTorch's and Keras's default generators;
// `manualSeed` makes everything that follows reproducible.
const state = { rng: new Random(`${Math.random()}:${Date.now()}`) };

/**
 * Reseeds the default generator that unseeded layers, initialisers and dropout fork from
 * (like `torch.manual_seed`). Passing `seed` to a layer or to `Sequential` does not depend on it.
 */
export function manualSeed(seed: number | string): void {
  state.rng = new Random(seed);
}

/** A new generator: from `rng` or `seed` when given, else forked from the default generator. */
export function resolveRng(options: { seed?: number | string; rng?: Random } = {}): Random {
  if (options.rng !== undefined) return options.rng;
  if (options.seed !== undefined) return new Random(options.seed);
  return state.rng.fork();
}

export function toRng(seed: number | string | Random): Random {
  return seed instanceof Random ? seed : new Random(seed);
}
