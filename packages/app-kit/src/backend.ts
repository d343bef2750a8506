import { useWasmBackend } from "@chainrule/backend-wasm";
import { wasmConvKernels } from "@chainrule/backend-wasm/conv";
import { useWebGpuBackend } from "@chainrule/backend-webgpu";
import { biasRelu, col2im, im2col, maxPoolGather, maxPoolScatter } from "@chainrule/layer-conv";
import * as np from "@chainrule/ndarray";

/** The compute backends an app can run on (`--backend`). */
export const BACKENDS = ["wasm", "js", "webgpu"] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Parses the `--backend` flag. */
export function parseBackend(value: unknown): BackendName {
  if (BACKENDS.includes(value as BackendName)) return value as BackendName;
  throw new Error(`--backend expects one of ${BACKENDS.join(", ")}, got '${String(value)}'`);
}

/**
 * Makes `name` the backend of every array op that follows; called once, before `run()` builds the model.
 * The apps default to WebAssembly SIMD (`wasm`): the FMA (relaxed-SIMD) build, with large matmuls split
 * over two threads and layer-conv's im2col/col2im/max-pool/bias+ReLU kernels in wasm; `js` is the
 * pure-TypeScript reference backend; `webgpu` runs on the GPU (Dawn in Node; on a
 * machine without a GPU set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json for SwiftShader).
 */
export async function selectBackend(name: BackendName): Promise<void> {
  if (name === "js") np.setBackend(np.jsBackend);
  else if (name === "webgpu")
    await useWebGpuBackend({ conv: { im2col, col2im, maxPoolGather, maxPoolScatter, biasRelu } });
  else await useWasmBackend({ relaxedSimd: true, threads: 2, primitiveKernels: wasmConvKernels });
}

/** The `--backend` flag's entry in an app's flag table. */
export const backendFlag = {
  kind: "string",
  default: "wasm",
  choices: BACKENDS,
  help: "compute backend: WebAssembly SIMD, the TypeScript reference, or WebGPU",
} as const;

/**
 * Runs `f` on the js backend and restores the current one: data preparation (one-hot labels, splits) makes
 * host arrays that loaders can slice, whatever backend trains. Device backends upload them at first use.
 */
export function onHostBackend<T>(f: () => T): T {
  return np.withBackend(np.jsBackend, f);
}
