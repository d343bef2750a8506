import { jsBackend, type HostBackend } from "@chainrule/ndarray";
import { shutdownThreads } from "./threads/index";
import { currentRuntime, dropRuntime, initRuntime, relaxedSimdSupported, runtime } from "./wasm/runtime";

export interface BackendInfo {
  /** Whether wasm memory is shared, i.e. worker threads are possible here. */
  sharedMemory: boolean;
  /** Whether the relaxed-SIMD (fused multiply-add) GEMM build is in use. */
  relaxedSimd: boolean;
  /** Current size of wasm linear memory in bytes (the scratch high-water mark). */
  memoryBytes: number;
}

export interface BackendOptions {
  /**
   * The relaxed-SIMD build: the GEMM micro-kernel uses f32x4/f64x2.relaxed_madd, which V8 lowers
   * to FMA (≈30% faster). Results may differ from the default build in the last bits and between
   * CPUs. It needs shared memory and an engine with relaxed SIMD: Node ≥ 22, Chrome ≥ 114, or
   * Node 20 with `--experimental-wasm-relaxed-simd`.
   * - `"auto"` (default): the relaxed build wherever the engine accepts it as is, else the default build.
   * - `true`: the same, and on Node 20 first set that V8 flag via `v8.setFlagsFromString` (when
   *   `allowV8Flag` is true).
   * - `false`: always the default build.
   * Falls back silently; check `backendInfo().relaxedSimd`.
   */
  relaxedSimd?: boolean | "auto";
  /** Node only: let initBackend set V8's relaxed-SIMD flag at run time if needed (default true). */
  allowV8Flag?: boolean;
}

async function enableRelaxedFlag(): Promise<void> {
  const g = globalThis as { process?: { versions?: { node?: string } } };
  if (typeof g.process?.versions?.node !== "string") return;
  const specifier = "node:v8";
  const v8 = (await import(/* @vite-ignore */ specifier)) as { setFlagsFromString(flags: string): void };
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
}

/**
 * Compiles the wasm module asynchronously and picks the build. Optional with default
 * options: kernels compile synchronously on first use otherwise, which is fine in Node and workers.
 * Switching `relaxedSimd` on an existing backend disposes it first (threads must be restarted).
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const relaxed = options.relaxedSimd ?? "auto";
  if (relaxed === true && !relaxedSimdSupported() && (options.allowV8Flag ?? true)) await enableRelaxedFlag();
  const existing = currentRuntime();
  // The build this call would pick (relaxed needs shared memory and engine support).
  const target = relaxed !== false && relaxedSimdSupported() && (existing?.shared ?? true);
  if (existing && existing.relaxed !== target) await disposeBackend();
  try {
    await initRuntime(relaxed !== false);
  } catch (cause) {
    throw new WasmUnavailableError(cause);
  }
  return backendInfo();
}

/**
 * The wasm module cannot be compiled or instantiated here. The usual cause is a page whose
 * Content-Security-Policy lacks `'wasm-unsafe-eval'` in `script-src`; engines without WebAssembly are another.
 */
export class WasmUnavailableError extends Error {
  constructor(cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const csp = /wasm-unsafe-eval|content security policy/i.test(detail)
      ? " The page's Content-Security-Policy forbids WebAssembly: add 'wasm-unsafe-eval' to its script-src."
      : "";
    super(`@chainrule/backend-wasm: cannot compile the wasm module (${detail}).${csp}`, { cause });
    this.name = "WasmUnavailableError";
  }
}

export interface FallbackOptions {
  /** Where wasm cannot start, run on ndarray's js backend instead of rejecting (default true). */
  fallbackToJs?: boolean;
  /** Told why wasm could not start when falling back; default: `console.warn` of the error's message. */
  onFallback?: (error: WasmUnavailableError) => void;
}

/**
 * `useWasmBackend`'s failure path: a WasmUnavailableError becomes the js backend (and a warning), as
 * TensorFlow.js's `setBackend("wasm")` falls back; any other error, or `fallbackToJs: false`, rethrows.
 */
export function jsFallback(error: unknown, options: FallbackOptions): HostBackend {
  if (!(error instanceof WasmUnavailableError) || options.fallbackToJs === false) throw error;
  (options.onFallback ?? ((e) => console.warn(`${e.message} Falling back to the js backend.`)))(error);
  return jsBackend;
}

export function backendInfo(): BackendInfo {
  const rt = runtime();
  return { sharedMemory: rt.shared, relaxedSimd: rt.relaxed, memoryBytes: rt.memory.buffer.byteLength };
}

/** Stops worker threads and releases wasm memory; the next kernel call starts afresh. */
export async function disposeBackend(): Promise<void> {
  await shutdownThreads();
  dropRuntime();
}
