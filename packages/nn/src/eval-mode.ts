// Its own file so that module.ts and summary.ts both use it without importing each other at run time.
import type { Module } from "./module";

/** Runs `fn` with every submodule in evaluation mode, then restores each one's own mode. */
export function withEvalMode<T>(module: Module, fn: () => T): T {
  const mods = module.modules();
  const saved = mods.map((m) => m.training);
  for (const m of mods) m.training = false;
  try {
    return fn();
  } finally {
    mods.forEach((m, i) => (m.training = saved[i]!));
  }
}
