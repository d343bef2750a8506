// When a split GEMM goes back to the calling thread. The caller never waits for a worker that has not started,
// only for units a worker is still inside; waiting far longer than its own share took means the worker was
// descheduled mid-unit (its core taken by another process), and one thread would have been faster. Each such
// stall keeps GEMMs on the calling thread for a while, twice as long as the last time when it happens again,
// so under sustained contention the split costs at most one stall per MAX_BACKOFF_MS.
import { CALLER_SPIN_MS, CONTENDED_BACKOFF_MS, MAX_BACKOFF_MS } from "./protocol";

export class SplitPolicy {
  private until = -Infinity;
  private backoffMs = 0;

  /** `clock` in ms (tests pass their own). */
  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Whether GEMMs should stay on the calling thread now. */
  get contended(): boolean {
    return this.clock() < this.until;
  }

  /** The back-off the next stall starts (0: none pending). */
  get currentBackoffMs(): number {
    return this.backoffMs;
  }

  /** Whether waiting `waitedMs` after computing its own units for `ownMs` means a worker stalled. */
  static stalled(ownMs: number, waitedMs: number): boolean {
    return waitedMs > CALLER_SPIN_MS + 0.5 * ownMs;
  }

  /** After a split job: the caller computed its units for `ownMs`, then waited `waitedMs` for the workers. */
  record(ownMs: number, waitedMs: number): void {
    if (SplitPolicy.stalled(ownMs, waitedMs)) {
      this.backoffMs = Math.min(
        MAX_BACKOFF_MS,
        this.backoffMs > 0 ? 2 * this.backoffMs : CONTENDED_BACKOFF_MS,
      );
      this.until = this.clock() + this.backoffMs;
    } else {
      // A clean job: the next stall backs off for half as long (none below the base).
      this.backoffMs = this.backoffMs / 2 >= CONTENDED_BACKOFF_MS ? this.backoffMs / 2 : 0;
    }
  }
}
