import { useWasmBackend } from "@chainrule/backend-wasm";
import { wasmConvKernels } from "@chainrule/backend-wasm/conv";
import * as np from "@chainrule/ndarray";

/** The compute backends an app can run on (`--backend`). */
export const BACKENDS = ["wasm", "js"] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Parses the `--backend` flag. */
export function parseBackend(value: unknown): BackendName {
  if (BACKENDS.includes(value as BackendName)) return value as BackendName;
  throw new Error(`--backend expects one of ${BACKENDS.join(", ")}, got '${String(value)}'`);
}

/**
 * Makes `name` the backend of every array op that follows; called once, before `run()` builds the model.
 * The apps default to WebAssembly SIMD (`wasm`): the FMA (relaxed-SIMD) build, with large matmuls split
 * over two threads and layer-conv's im2col/col2im/max-pool kernels in wasm; `js` is the pure-TypeScript
 * reference backend.
 */
export async function selectBackend(name: BackendName): Promise<void> {
  if (name === "js") np.setBackend(np.jsBackend);
  else await useWasmBackend({ relaxedSimd: true, threads: 2, primitiveKernels: wasmConvKernels });
}

/** The `--backend` flag's entry in an app's flag table. */
export const backendFlag = {
  kind: "string",
  default: "wasm",
  choices: BACKENDS,
  help: "compute backend: WebAssembly SIMD or the TypeScript reference",
} as const;
