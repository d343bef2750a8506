import { NDArray, formatShape } from "@chainrule/ndarray";
import type { Logs, StepResult } from "./types";

function toNumber(v: number | NDArray, key: string): number {
  if (typeof v === "number") return v;
  if (v instanceof NDArray) {
    if (v.size !== 1)
      throw new TypeError(
        `fit: '${key}' must be a number or a one-element array, got shape ${formatShape(v.shape)}`,
      );
    return v.item();
  }
  throw new TypeError(`fit: '${key}' must be a number or an NDArray, got ${typeof v}`);
}

/** A step's result as named numbers: a bare number or array is the loss. */
export function stepLogs(result: StepResult): Logs {
  if (typeof result === "number" || result instanceof NDArray) return { loss: toNumber(result, "loss") };
  if (result === null || typeof result !== "object")
    throw new TypeError(`fit: trainStep must return the loss (a number or NDArray) or a record of metrics`);
  const out: Logs = {};
  for (const [k, v] of Object.entries(result)) out[k] = toNumber(v, k);
  return out;
}

/** Running means of each metric over an epoch's batches. */
export class RunningMeans {
  private readonly sums = new Map<string, { sum: number; count: number }>();

  add(logs: Logs): void {
    for (const [k, v] of Object.entries(logs)) {
      const s = this.sums.get(k);
      if (s) {
        s.sum += v;
        s.count++;
      } else this.sums.set(k, { sum: v, count: 1 });
    }
  }

  means(): Logs {
    const out: Logs = {};
    for (const [k, { sum, count }] of this.sums) out[k] = sum / count;
    return out;
  }
}
