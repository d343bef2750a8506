// Timing helpers: warm up, then repeat trials and keep the median (the machines are shared and noisy).

/** Runs `fn` `iters` times per trial after a warm-up and returns the median seconds per call. */
export function medianSecondsPerCall(fn, { iters, trials = 7, warmup = Math.max(1, Math.floor(iters / 2)) }) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  for (let t = 0; t < trials; t++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) fn();
    times.push((performance.now() - t0) / 1000 / iters);
  }
  return median(times);
}

/** The same for async work (TF.js needs awaiting for some backends). */
export async function medianSecondsPerCallAsync(
  fn,
  { iters, trials = 7, warmup = Math.max(1, Math.floor(iters / 2)) },
) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let t = 0; t < trials; t++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) await fn();
    times.push((performance.now() - t0) / 1000 / iters);
  }
  return median(times);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Iterations so that one trial takes roughly `seconds`, from a single timed call. */
export function itersFor(fn, seconds = 0.3) {
  const t0 = performance.now();
  fn();
  const dt = (performance.now() - t0) / 1000;
  return Math.max(1, Math.min(100000, Math.round(seconds / Math.max(dt, 1e-7))));
}
