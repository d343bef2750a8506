// Backend choice for the page. js and wasm are always offered; webgpu only where the browser has
// `navigator.gpu` and a WebGPU backend package is wired in below.
import { createBackend, DEFAULT_THREAD_MIN_FLOPS, initThreads } from "@chainrule/backend-wasm";
import { jsBackend, setBackend, type Backend } from "@chainrule/ndarray";

export type BackendName = "js" | "wasm" | "webgpu";

/**
 * Creates the WebGPU backend, or undefined while no WebGPU package is wired in. When
 * @chainrule/backend-webgpu lands, this becomes one import:
 * `const loadWebGpu = () => import("@chainrule/backend-webgpu").then((m) => m.createWebGpuBackend());`
 */
const loadWebGpu: (() => Promise<Backend>) | undefined = undefined;

/** Cross-origin isolation is what makes SharedArrayBuffer, and so wasm worker threads, available. */
export const isolated = (): boolean => globalThis.crossOriginIsolated === true;

export function availableBackends(): BackendName[] {
  const names: BackendName[] = ["js", "wasm"];
  if (loadWebGpu !== undefined && "gpu" in navigator) names.push("webgpu");
  return names;
}

/** Threads for wasm: up to 4 where the page is isolated, else 1 (workers cannot share memory). */
export function wasmThreads(): number {
  return isolated() ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

export interface ActiveBackend {
  name: BackendName;
  /** Worker threads the wasm GEMM uses (1 = inline). */
  threads: number;
}

/** Makes `name` the backend every op runs on. `minFlops: 0` sends every matmul through the thread pool. */
export async function selectBackend(
  name: BackendName,
  options: { threads?: number; minFlops?: number } = {},
): Promise<ActiveBackend> {
  if (name === "js") {
    setBackend(jsBackend);
    return { name, threads: 1 };
  }
  if (name === "webgpu") {
    if (loadWebGpu === undefined) throw new Error("playground: no WebGPU backend is built into this page");
    setBackend(await loadWebGpu());
    return { name, threads: 1 };
  }
  const backend = await createBackend({ threads: false });
  // initThreads also stops a pool left from an earlier choice and resets the dispatch threshold.
  const threads = await initThreads({
    threads: options.threads ?? wasmThreads(),
    minFlops: options.minFlops ?? DEFAULT_THREAD_MIN_FLOPS,
  });
  setBackend(backend);
  return { name, threads };
}
