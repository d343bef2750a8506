/** How long and how slowly a download may run before it is given up. */
export interface TransferLimits {
  /** Give up when the server sends nothing for this long. */
  timeoutMs: number;
  /** Give up when the whole download (every attempt) takes longer than this. */
  deadlineMs: number;
  /** Give up when fewer bytes than this per second arrive, averaged over `rateWindowMs`. */
  minBytesPerSecond: number;
  rateWindowMs: number;
}

export const DEFAULT_TRANSFER_LIMITS: TransferLimits = {
  timeoutMs: 30_000,
  deadlineMs: 60 * 60_000,
  minBytesPerSecond: 1024,
  rateWindowMs: 30_000,
};

/** The limits with defaults filled in; a value that is not a positive number (0 for the rate) is a TypeError. */
export function transferLimits(given: Partial<TransferLimits>): TransferLimits {
  const limits = { ...DEFAULT_TRANSFER_LIMITS };
  for (const key of Object.keys(limits) as (keyof TransferLimits)[]) {
    const v = given[key];
    if (v === undefined) continue;
    const ok = typeof v === "number" && !Number.isNaN(v) && (key === "minBytesPerSecond" ? v >= 0 : v > 0);
    if (!ok)
      throw new TypeError(
        `downloadVerified: ${key} must be a positive number of ${unit(key)}, got ${String(v)}`,
      );
    limits[key] = v;
  }
  return limits;
}

const unit = (key: keyof TransferLimits) =>
  key === "minBytesPerSecond" ? "bytes per second" : "milliseconds";

/**
 * Aborts one HTTP transfer (its `signal`) once the overall deadline passes or the rate over the last window
 * falls under the minimum; `reason` then says which, for the error message. A trickle of a byte now and then
 * defeats an idle timeout, not this.
 */
export class TransferGuard {
  private readonly controller = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private windowBytes = 0;
  reason: string | undefined;

  constructor(limits: TransferLimits, deadlineAt: number) {
    const { deadlineMs, minBytesPerSecond, rateWindowMs } = limits;
    const deadline = setTimeout(
      () => this.abort(`not finished within the ${deadlineMs} ms deadline`),
      Math.max(0, deadlineAt - Date.now()),
    );
    const rate = setInterval(() => {
      const needed = (minBytesPerSecond * rateWindowMs) / 1000;
      if (this.windowBytes < needed) {
        this.abort(
          `slower than the minimum of ${minBytesPerSecond} bytes/s (${this.windowBytes} bytes in the last ${rateWindowMs} ms)`,
        );
      }
      this.windowBytes = 0;
    }, rateWindowMs);
    for (const t of [deadline, rate]) {
      t.unref();
      this.timers.push(t);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  received(bytes: number): void {
    this.windowBytes += bytes;
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
  }

  private abort(reason: string): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.stop();
    this.controller.abort(new Error(reason));
  }
}
