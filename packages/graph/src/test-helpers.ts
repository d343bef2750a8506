// Test-only helpers (not exported from the package).
import { jsBackend, kernelsOf, NDArray, type Backend, type KernelTable } from "@chainrule/ndarray";

/** A backend that forwards to `base` and records every kernel call and the buffers it wrote. */
export function countingBackend(base: Backend = jsBackend) {
  const calls: string[] = [];
  const outs: NDArray["buffer"][] = [];
  const kernels = Object.fromEntries(
    Object.entries(kernelsOf(base)).map(([name, k]) => [
      name,
      (inputs: readonly NDArray[], params: unknown, out: NDArray) => {
        calls.push(name);
        outs.push(out.buffer);
        (k as (i: readonly NDArray[], p: unknown, o: NDArray) => void)(inputs, params, out);
      },
    ]),
  ) as unknown as KernelTable;
  return {
    backend: { name: "counting", kernels } as Backend,
    calls,
    outs,
    reset() {
      calls.length = 0;
      outs.length = 0;
    },
  };
}

/**
 * A backend shaped like a wasm one: every kernel copies its inputs into fresh contiguous memory,
 * computes into a fresh zeroed output, and copies the result out. It relies on nothing but the
 * Kernel contract, so a graph that runs on it runs on any backend.
 */
export function copyingBackend(base: Backend = jsBackend): Backend {
  const fresh = (x: NDArray) => new NDArray(x.toTypedArray(), [...x.shape], x.dtype);
  const kernels = Object.fromEntries(
    Object.entries(kernelsOf(base)).map(([name, k]) => [
      name,
      (inputs: readonly NDArray[], params: unknown, out: NDArray) => {
        const tmp = NDArray.empty(out.shape, out.dtype);
        (k as (i: readonly NDArray[], p: unknown, o: NDArray) => void)(inputs.map(fresh), params, tmp);
        out.buffer.set(tmp.buffer);
      },
    ]),
  ) as unknown as KernelTable;
  return { name: "copying", kernels };
}
