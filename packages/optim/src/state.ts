import type { Variable } from "@chainrule/autograd";
import { fromTypedArray, type DType, type NDArray } from "@chainrule/ndarray";

/** One parameter's optimizer state (a moment, a momentum buffer…), in the parameter's float dtype. */
export type FloatSlot = Float32Array | Float64Array;

export function newSlot(dtype: DType, size: number): FloatSlot {
  return dtype === "float32" ? new Float32Array(size) : new Float64Array(size);
}

/**
 * What `stateDict()` returns: plain data (float64 arrays, numbers, flags) that can be kept in memory or
 * serialized (`toArray()` on each slot is exact for float64).
 */
export interface OptimizerState {
  /** `iterations`: updates done. */
  step: number;
  /** Updates each parameter received, keyed like the slots. */
  paramSteps: Record<string, number>;
  /** slot name (`m`, `v`, `momentum`…) → parameter key → array of the parameter's shape. */
  slots: Record<string, Record<string, NDArray>>;
  /** Hyperparameters, and `lr` when it is a number (a schedule is code and stays in the constructor). */
  hyper: Record<string, number | boolean>;
}

/** Parameters are keyed by name when every name is distinct, by index ("0", "1"…) otherwise. */
export function paramKeys(params: readonly Variable[]): string[] {
  const names = params.map((p) => p.name);
  return new Set(names).size === names.length ? names : names.map((_, i) => String(i));
}

const shapeText = (s: readonly number[]) => `[${s.join(", ")}]`;

export function exportState(
  params: readonly Variable[],
  step: number,
  paramSteps: readonly number[],
  slots: Record<string, FloatSlot[]>,
  hyper: Record<string, number | boolean>,
): OptimizerState {
  const keys = paramKeys(params);
  const out: OptimizerState["slots"] = {};
  for (const [name, arrays] of Object.entries(slots)) {
    out[name] = Object.fromEntries(
      keys.map((k, i) => [k, fromTypedArray(arrays[i]!.slice(), params[i]!.shape)]),
    );
  }
  return { step, paramSteps: Object.fromEntries(keys.map((k, i) => [k, paramSteps[i]!])), slots: out, hyper };
}

/**
 * Validates `state` against the parameters and slots, then copies it in. Nothing changes when it throws.
 * Returns the step and the hyperparameters for the optimizer to apply.
 */
export function importState(
  who: string,
  state: OptimizerState,
  params: readonly Variable[],
  paramSteps: number[],
  slots: Record<string, FloatSlot[]>,
  knownHyper: readonly string[],
): { step: number; hyper: Record<string, number | boolean> } {
  const fail = (msg: string): never => {
    throw new Error(`${who}.loadStateDict: ${msg}`);
  };
  if (state === null || typeof state !== "object") fail("expected an object from stateDict()");
  if (!Number.isInteger(state.step) || state.step < 0)
    fail(`'step' must be a non-negative integer, got ${String(state.step)}`);
  const keys = paramKeys(params);
  const given = Object.keys(state.slots ?? {});
  const expected = Object.keys(slots);
  for (const s of given)
    if (!expected.includes(s))
      fail(
        `the state has a slot '${s}' that ${who} does not keep (it keeps: ${expected.join(", ") || "none"}); ` +
          `was it saved from another optimizer or other options?`,
      );
  for (const s of expected) {
    const rec = state.slots?.[s];
    if (rec === undefined) fail(`the state has no slot '${s}' (it has: ${given.join(", ") || "none"})`);
    keys.forEach((k, i) => {
      const a = rec![k];
      const shape = params[i]!.shape;
      if (a === undefined) fail(`slot '${s}' has no entry for parameter '${k}' (#${i})`);
      if (a!.shape.length !== shape.length || a!.shape.some((d, j) => d !== shape[j]))
        fail(
          `slot '${s}' for parameter '${k}' (#${i}) has shape ${shapeText(a!.shape)}, ` +
            `the parameter has shape ${shapeText(shape)}`,
        );
    });
  }
  for (const [k, v] of Object.entries(state.hyper ?? {})) {
    if (!knownHyper.includes(k)) fail(`unknown hyperparameter '${k}'`);
    if (typeof v !== "number" && typeof v !== "boolean") fail(`hyperparameter '${k}' is ${typeof v}`);
  }
  for (const s of expected) keys.forEach((k, i) => slots[s]![i]!.set(state.slots[s]![k]!.dataSync()));
  // A state without per-parameter counts means every parameter took every step.
  keys.forEach((k, i) => (paramSteps[i] = state.paramSteps?.[k] ?? state.step));
  return { step: state.step, hyper: { ...state.hyper } };
}

/** `OptimizerState` as plain JSON: each slot is `{ shape, data }` (float64 numbers survive JSON exactly). */
export interface OptimizerStateJSON {
  step: number;
  paramSteps: Record<string, number>;
  slots: Record<string, Record<string, { shape: number[]; data: number[] }>>;
  hyper: Record<string, number | boolean>;
}

/** For `JSON.stringify`: non-finite slot values (NaN, ±Infinity) would not survive it. */
export function stateToJSON(state: OptimizerState): OptimizerStateJSON {
  const slots: OptimizerStateJSON["slots"] = {};
  for (const [s, rec] of Object.entries(state.slots))
    slots[s] = Object.fromEntries(
      Object.entries(rec).map(([k, a]) => [k, { shape: [...a.shape], data: Array.from(a.dataSync()) }]),
    );
  return { step: state.step, paramSteps: { ...state.paramSteps }, slots, hyper: { ...state.hyper } };
}

export function stateFromJSON(json: OptimizerStateJSON): OptimizerState {
  const slots: OptimizerState["slots"] = {};
  for (const [s, rec] of Object.entries(json.slots))
    slots[s] = Object.fromEntries(
      Object.entries(rec).map(([k, { shape, data }]) => [k, fromTypedArray(Float64Array.from(data), shape)]),
    );
  return { step: json.step, paramSteps: { ...json.paramSteps }, slots, hyper: { ...json.hyper } };
}
