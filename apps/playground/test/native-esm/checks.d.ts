// Types for checks.js (plain JavaScript, so the page can load it without a build step).
export interface CheckResult {
  /** The ndarray build that ran: "esm" in the page. */
  format: string;
  uniforms: number[];
  product: number[][];
  gradient: number[];
  losses: number[];
}
export function runChecks(): Promise<CheckResult>;
