import type { History, Logs } from "./types";

export function emptyHistory(): History {
  return { epoch: [] };
}

/** Appends one epoch, keeping every series as long as `epoch` (NaN fills the gaps). */
export function appendEpoch(history: History, epoch: number, logs: Logs): void {
  const n = history.epoch.length;
  history.epoch.push(epoch);
  for (const [k, v] of Object.entries(logs)) {
    if (k === "epoch") continue;
    const series = (history[k] ??= new Array<number>(n).fill(NaN));
    series.push(v);
  }
  for (const [k, series] of Object.entries(history)) if (series.length === n) series.push(NaN);
}
