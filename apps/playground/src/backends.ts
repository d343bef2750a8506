// Backend choice for the page. js and wasm are always offered (wasm falls back to js where the page's CSP
// forbids WebAssembly); webgpu only where the browser gives a WebGPU adapter.
import { DEFAULT_THREAD_MIN_FLOPS, initThreads, useWasmBackend } from "@chainrule/backend-wasm";
import type { WebGpuBackend } from "@chainrule/backend-webgpu";
import { jsBackend, setBackend } from "@chainrule/ndarray";

export type BackendName = "js" | "wasm" | "webgpu";

/** Cross-origin isolation is what makes SharedArrayBuffer, and so wasm worker threads, available. */
export const isolated = (): boolean => globalThis.crossOriginIsolated === true;

export interface WebGpuProbe {
  backend: WebGpuBackend | null;
  /** Why there is no backend, for the page to say. */
  reason?: string;
}

let webgpu: Promise<WebGpuProbe> | undefined;

/**
 * The WebGPU backend, created once. `navigator.gpu` can exist with no adapter behind it (no driver, a
 * blocklisted GPU, headless Chromium without --enable-unsafe-webgpu), so the adapter decides, not the API.
 * The package is imported only here, so pages without WebGPU never download it.
 */
export function probeWebGpu(): Promise<WebGpuProbe> {
  webgpu ??= (async (): Promise<WebGpuProbe> => {
    const gpu = (navigator as { gpu?: GPU }).gpu;
    if (!gpu) return { backend: null, reason: "this browser has no navigator.gpu" };
    if (!(await gpu.requestAdapter().catch(() => null)))
      return { backend: null, reason: "navigator.gpu gives no adapter here" };
    try {
      const { createWebGpuBackend } = await import("@chainrule/backend-webgpu");
      return { backend: await createWebGpuBackend({ gpu }) };
    } catch (e) {
      return { backend: null, reason: (e as Error).message };
    }
  })();
  return webgpu;
}

/** The backends the moons view offers: js, wasm, and webgpu where there is an adapter. */
export async function availableBackends(): Promise<BackendName[]> {
  const { backend } = await probeWebGpu();
  return backend ? ["js", "wasm", "webgpu"] : ["js", "wasm"];
}

/** Threads for wasm: up to 4 where the page is isolated, else 1 (workers cannot share memory). */
export function wasmThreads(): number {
  return isolated() ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

export interface ActiveBackend {
  /** The backend every op now runs on (js where wasm could not start). */
  name: BackendName;
  /** Worker threads the wasm GEMM uses (1 = inline). */
  threads: number;
  /** Set when the backend asked for could not start: why, and what runs instead. */
  fallback?: string;
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
    const { backend, reason } = await probeWebGpu();
    if (!backend) throw new Error(`playground: no WebGPU backend here (${reason})`);
    setBackend(backend);
    return { name, threads: 1 };
  }
  let why: string | undefined;
  // useWasmBackend sets the js backend where wasm cannot compile (a CSP without 'wasm-unsafe-eval').
  const backend = await useWasmBackend({ threads: false, onFallback: (e) => (why = e.message) });
  if (backend.name !== "wasm") return { name: "js", threads: 1, fallback: `running on js: ${why}` };
  // initThreads also stops a pool left from an earlier choice and resets the dispatch threshold.
  const threads = await initThreads({
    threads: options.threads ?? wasmThreads(),
    minFlops: options.minFlops ?? DEFAULT_THREAD_MIN_FLOPS,
  });
  return { name, threads };
}
