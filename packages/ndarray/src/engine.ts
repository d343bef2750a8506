import type { DType } from "./dtype";
import { NDArray } from "./ndarray";
import type { Backend, Kernel, KernelPrim, PrimName, PrimParams, Primitive } from "./primitive";

/** Something that wants to see every primitive application, e.g. a GradientTape or a graph tracer. */
export interface Recorder {
  record(prim: Primitive, inputs: readonly NDArray[], output: NDArray, params: unknown): void;
}

// Per-module-instance state, never on globalThis: two copies of this package each keep their own.
const state = {
  recorders: [] as Recorder[],
  backend: undefined as Backend | undefined,
};

/** Installs the reference backend unless one was chosen already. */
export function setDefaultBackend(backend: Backend): void {
  state.backend ??= backend;
}

/** Makes every op run on `backend` from now on. */
export function setBackend(backend: Backend): void {
  state.backend = backend;
}

export function getBackend(): Backend {
  return state.backend!;
}

export function pushRecorder(r: Recorder): void {
  state.recorders.push(r);
}

export function popRecorder(r: Recorder): void {
  const i = state.recorders.lastIndexOf(r);
  if (i >= 0) state.recorders.splice(i, 1);
}

export function isRecording(): boolean {
  return state.recorders.length > 0;
}

/** Tells every active recorder that `prim` produced `output` from `inputs`. */
export function emit(prim: Primitive, inputs: readonly NDArray[], output: NDArray, params: unknown): void {
  const rs = state.recorders;
  for (let i = 0; i < rs.length; i++) rs[i]!.record(prim, inputs, output, params);
}

/** Runs `fn` with no recorder active: nothing inside is differentiated or traced. */
export function withoutRecording<T>(fn: () => T): T {
  const saved = state.recorders;
  state.recorders = [];
  try {
    return fn();
  } finally {
    state.recorders = saved;
  }
}

/** Applies a computing primitive: allocate the output, run the backend's kernel, record. */
export function run<K extends KernelPrim>(
  prim: Primitive & { readonly name: K },
  inputs: readonly NDArray[],
  params: PrimParams[K],
  shape: readonly number[],
  dtype: DType,
): NDArray {
  const out = NDArray.empty(shape, dtype, prim.name);
  (state.backend!.kernels[prim.name] as Kernel<K>)(inputs, params, out);
  if (state.recorders.length > 0) emit(prim, inputs, out, params);
  return out;
}

/** Records a view primitive (no kernel: `output` shares the input's buffer). */
export function recordView<K extends PrimName>(
  prim: Primitive & { readonly name: K },
  input: NDArray,
  params: PrimParams[K],
  output: NDArray,
): NDArray {
  if (state.recorders.length > 0) emit(prim, [input], output, params);
  return output;
}
