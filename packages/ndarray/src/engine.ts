import type { DType } from "./dtype";
import { NDArray } from "./ndarray";
import { assertInputsLive, holdTracking, track } from "./pool";
import type { Backend, Kernel, KernelPrim, KernelTable, PrimName, PrimParams, Primitive } from "./primitive";

/** Something that wants to see every primitive application, e.g. a GradientTape or a graph tracer. */
export interface Recorder {
  record(prim: Primitive, inputs: readonly NDArray[], output: NDArray, params: unknown): void;
  /**
   * True when the arrays it records may be released by the `tidy` scope that was open when it started,
   * once it stops (a GradientTape's). A recorder without it (a graph tracer, whose plan keeps constants)
   * keeps what it records: while it is active no array is handed to a tidy scope.
   */
  readonly scoped?: boolean;
}

// Per-module-instance state, never on globalThis: two copies of this package each keep their own.
const state = {
  recorders: [] as Recorder[],
  backend: undefined as Backend | undefined,
  /** The current backend's complete table: its own kernels over the reference ones. */
  kernels: undefined as KernelTable | undefined,
  reference: undefined as KernelTable | undefined,
  /** Checks of device-resident values (index bounds…) waiting for the next read to run them. */
  deferred: [] as DeferredCheck[],
};

/** A check whose values live on a device: it reads them (asynchronously) and throws what the op would have. */
export type DeferredCheck = () => Promise<void>;

/**
 * Queues a check that needs device values: an op cannot read them synchronously, so the next
 * `await x.data()` runs it first and throws its error (as a GPU kernel's error surfaces at the next read).
 */
export function deferCheck(check: DeferredCheck): void {
  state.deferred.push(check);
}

/** Runs (and clears) the queued checks, in the order the ops queued them; the first failure throws. */
export async function runDeferredChecks(): Promise<void> {
  while (state.deferred.length > 0) await state.deferred.shift()!();
}

const resolved = new WeakMap<Backend, KernelTable>();

/** Every kernel `backend` runs: its own, and for a host backend the reference kernel for the rest. */
export function kernelsOf(backend: Backend): KernelTable {
  if (backend.device) return backend.kernels;
  let table = resolved.get(backend);
  if (!table) {
    const own = Object.entries(backend.kernels).filter(([, k]) => k !== undefined);
    table = { ...state.reference!, ...Object.fromEntries(own) } as KernelTable;
    resolved.set(backend, table);
  }
  return table;
}

/** Installs the reference backend (the fallback for every host backend) unless one was chosen already. */
export function setDefaultBackend(backend: Backend & { kernels: KernelTable }): void {
  state.reference ??= backend.kernels;
  if (!state.backend) setBackend(backend);
}

/** Makes every op run on `backend` from now on. */
export function setBackend(backend: Backend): void {
  state.backend = backend;
  state.kernels = kernelsOf(backend);
}

/**
 * A fresh contiguous array of zeros on the current backend: the kernel output allocator. The open `tidy`
 * scope, if any, owns it; on a host backend its buffer may be a released one (pool.ts).
 */
export function emptyOnBackend(shape: readonly number[], dtype: DType, op?: string): NDArray {
  const device = state.backend!.device;
  if (!device) return track(NDArray.empty(shape, dtype, op));
  let size = 1;
  for (const d of shape) size *= d;
  return track(new NDArray(device.allocate(dtype, size), shape, dtype));
}

/** The inputs as the current backend's kernels read them: device backends upload host arrays. */
export function onBackend(inputs: readonly NDArray[]): readonly NDArray[] {
  const device = state.backend!.device;
  return device ? inputs.map((x) => device.accept(x)) : inputs;
}

export function getBackend(): Backend {
  return state.backend!;
}

/**
 * `f()` with `backend` as the current backend, the previous one restored when `f` returns or throws (a
 * Promise that `f` returns runs its later steps on the restored backend).
 */
export function withBackend<T>(backend: Backend, f: () => T): T {
  const previous = state.backend!;
  setBackend(backend);
  try {
    return f();
  } finally {
    setBackend(previous);
  }
}

export function pushRecorder(r: Recorder): void {
  state.recorders.push(r);
  if (!r.scoped) holdTracking(1);
}

export function popRecorder(r: Recorder): void {
  const i = state.recorders.lastIndexOf(r);
  if (i < 0) return;
  state.recorders.splice(i, 1);
  if (!r.scoped) holdTracking(-1);
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
  assertInputsLive(inputs, prim.name);
  const out = emptyOnBackend(shape, dtype, prim.name);
  (state.kernels![prim.name] as Kernel<K>)(onBackend(inputs), params, out);
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
