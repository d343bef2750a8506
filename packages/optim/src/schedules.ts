/**
 * A learning rate as a function of the update number `t`: 1 for the first update, 2 for the
 * second… The optimizer calls it once per `step`, so `t` is `optimizer.iterations + 1`.
 * The built-in schedules give their initial value at `t = 1` (elapsed updates `t − 1 = 0`).
 */
export type Schedule = (t: number) => number;

/** A fixed learning rate or a schedule. */
export type LearningRate = number | Schedule;

/** The learning rate for update `t`. */
export function resolveLr(lr: LearningRate, t: number): number {
  return typeof lr === "number" ? lr : lr(t);
}

function positive(value: number, what: string): void {
  if (!(value > 0) || !Number.isFinite(value))
    throw new RangeError(`${what} must be a positive number, got ${value}`);
}

export interface StepDecayOptions {
  initial: number;
  /** Multiply by `factor` after every `dropEvery` updates. */
  dropEvery: number;
  factor: number;
}

/** `initial · factor^⌊(t−1)/dropEvery⌋` — PyTorch's StepLR, counted in updates. */
export function stepDecay({ initial, dropEvery, factor }: StepDecayOptions): Schedule {
  positive(dropEvery, "stepDecay: dropEvery");
  return (t) => initial * factor ** Math.floor((t - 1) / dropEvery);
}

export interface ExponentialDecayOptions {
  initial: number;
  decayRate: number;
  decaySteps: number;
  /** Decay in whole multiples of `decaySteps` (a staircase) instead of smoothly. */
  staircase?: boolean;
}

/** `initial · decayRate^((t−1)/decaySteps)` — Keras' ExponentialDecay with t−1 elapsed updates. */
export function exponentialDecay({
  initial,
  decayRate,
  decaySteps,
  staircase = false,
}: ExponentialDecayOptions): Schedule {
  positive(decaySteps, "exponentialDecay: decaySteps");
  return (t) => {
    const p = (t - 1) / decaySteps;
    return initial * decayRate ** (staircase ? Math.floor(p) : p);
  };
}

export interface CosineDecayOptions {
  initial: number;
  /** Updates over which the rate falls from `initial` to `alpha · initial`; it stays there after. */
  decaySteps: number;
  /** The final rate as a fraction of `initial` (default 0). */
  alpha?: number;
}

/**
 * `initial · ((1 − α) · ½(1 + cos(π · min(t−1, D)/D)) + α)` — Keras' CosineDecay (Loshchilov & Hutter's
 * SGDR without restarts).
 */
export function cosineDecay({ initial, decaySteps, alpha = 0 }: CosineDecayOptions): Schedule {
  positive(decaySteps, "cosineDecay: decaySteps");
  return (t) => {
    const progress = Math.min(t - 1, decaySteps) / decaySteps;
    return initial * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)) + alpha);
  };
}

export interface LinearWarmupOptions {
  /** Updates 1…warmupSteps ramp up; update `warmupSteps` is the first at the full rate. */
  warmupSteps: number;
  /** Where the ramp starts, as a fraction of the target rate, at the (virtual) update 0. Default 0. */
  startFactor?: number;
}

/**
 * Linear warm-up, then `after`: for `t ≤ W` the rate is `target · (s + (1 − s) · t/W)` where `target` is
 * `after(1)` (or the number); for `t > W` it is `after(t − W)`, so the wrapped schedule starts from its own
 * first update when the warm-up ends (warm-up then a full cosine, say). With the default `s = 0` the first
 * update already moves (`target/W`), unlike a ramp that starts at exactly zero.
 */
export function linearWarmup(
  after: LearningRate,
  { warmupSteps, startFactor = 0 }: LinearWarmupOptions,
): Schedule {
  positive(warmupSteps, "linearWarmup: warmupSteps");
  return (t) => {
    if (t > warmupSteps) return resolveLr(after, t - warmupSteps);
    return resolveLr(after, 1) * (startFactor + ((1 - startFactor) * t) / warmupSteps);
  };
}
