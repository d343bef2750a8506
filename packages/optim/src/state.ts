import type { Variable } from "@chainrule/autograd";
import { fromTypedArray, type DeviceStorage, type DType, type NDArray } from "@chainrule/ndarray";

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

/** Snapshots of every slot by parameter key; `slotOf(slot, i)` copies one (on the host or on its device). */
export function exportState(
  params: readonly Variable[],
  step: number,
  paramSteps: readonly number[],
  slotNames: readonly string[],
  slotOf: (slot: string, i: number) => NDArray,
  hyper: Record<string, number | boolean>,
): OptimizerState {
  const keys = paramKeys(params);
  const out: OptimizerState["slots"] = {};
  for (const name of slotNames) out[name] = Object.fromEntries(keys.map((k, i) => [k, slotOf(name, i)]));
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
  expected: readonly string[],
  write: (slot: string, i: number, value: NDArray) => void,
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
      if (a!.onDevice && !params[i]!.onDevice)
        fail(
          `slot '${s}' for parameter '${k}' (#${i}) lives on the '${backendOf(a!)}' backend and the parameter ` +
            `on the host; read the state back first: loadStateDict(await stateToHost(state))`,
        );
    });
  }
  for (const [k, v] of Object.entries(state.hyper ?? {})) {
    if (!knownHyper.includes(k)) fail(`unknown hyperparameter '${k}'`);
    if (typeof v !== "number" && typeof v !== "boolean") fail(`hyperparameter '${k}' is ${typeof v}`);
  }
  for (const s of expected) keys.forEach((k, i) => write(s, i, state.slots[s]![k]!));
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

const backendOf = (a: NDArray) => (a.storage as DeviceStorage).backend;

/**
 * For `JSON.stringify`: non-finite slot values (NaN, ±Infinity) would not survive it. Slots on a device
 * (the state of WebGPU parameters) cannot be read synchronously: `stateToJSON(await stateToHost(state))`.
 */
export function stateToJSON(state: OptimizerState): OptimizerStateJSON {
  const slots: OptimizerStateJSON["slots"] = {};
  for (const [s, rec] of Object.entries(state.slots))
    slots[s] = Object.fromEntries(
      Object.entries(rec).map(([k, a]) => {
        if (a.onDevice)
          throw new Error(
            `stateToJSON: slot '${s}' of parameter '${k}' lives on the '${backendOf(a)}' backend, which JS ` +
              `cannot read synchronously; use stateToJSON(await stateToHost(state))`,
          );
        return [k, { shape: [...a.shape], data: Array.from(a.dataSync()) }];
      }),
    );
  return { step: state.step, paramSteps: { ...state.paramSteps }, slots, hyper: { ...state.hyper } };
}

/**
 * The state with every device-resident slot (the state of WebGPU parameters) read back into a host array
 * (`await data()`, one read per slot); host slots are passed through. For saving: `stateToJSON` needs it.
 */
export async function stateToHost(state: OptimizerState): Promise<OptimizerState> {
  const slots: OptimizerState["slots"] = {};
  for (const [s, rec] of Object.entries(state.slots)) {
    const entries = Object.entries(rec).map(
      async ([k, a]) => [k, a.onDevice ? fromTypedArray(await a.data(), a.shape, a.dtype) : a] as const,
    );
    slots[s] = Object.fromEntries(await Promise.all(entries));
  }
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
