import { BackendError } from "@chainrule/ndarray";

/** Where to look for a WebGPU implementation, and what to tell the user when there is none. */
const NO_ADAPTER =
  "webgpu: no WebGPU adapter found. In Node install the 'webgpu' npm package (Dawn) and a Vulkan driver; " +
  "without a GPU, Debian's 'chromium' package ships SwiftShader: set " +
  "VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json. In a browser, use one with WebGPU enabled " +
  "(navigator.gpu).";

/** The GPU instance: the browser's `navigator.gpu`, else Dawn from the `webgpu` npm package in Node. */
async function gpuInstance(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  try {
    // A computed specifier, so bundlers for browsers leave Dawn (Node-only: node:path, module, …) out.
    const specifier = "webgpu";
    const dawn = (await import(/* @vite-ignore */ specifier)) as { create(flags: string[]): GPU };
    return dawn.create([]);
  } catch (e) {
    throw new BackendError(`${NO_ADAPTER} (loading 'webgpu' failed: ${(e as Error).message})`);
  }
}

/** GPUBufferUsage / GPUMapMode bits: fixed by the WebGPU spec, so no global is needed in Node. */
export const USAGE = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, STORAGE: 128 } as const;
export const MAP_READ_MODE = 1;

export interface Gpu {
  /** Held for the device's lifetime: Dawn tears the instance down (and aborts) when it is collected. */
  readonly instance: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly adapterName: string;
  /** Set once the device is lost: every later kernel reports it instead of hanging. */
  lost?: string;
  /** The first shader or validation error, reported by the next read (kernels are synchronous). */
  error?: string;
  /** Error scopes still being resolved (a read waits for them). */
  readonly pending: Set<Promise<void>>;
}

/** Throws the device's loss or first kernel error, if any (after every pending check resolved). */
export async function checkGpu(gpu: Gpu): Promise<void> {
  await Promise.all([...gpu.pending]);
  if (gpu.lost) throw new BackendError(gpu.lost);
  if (gpu.error) throw new BackendError(gpu.error);
}

/** Acquires an adapter and a device, or throws one clear error saying what to install. */
export async function acquireGpu(instance?: GPU): Promise<Gpu> {
  const gpu = instance ?? (await gpuInstance());
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) throw new BackendError(NO_ADAPTER);
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      // Fused elementwise groups bind one buffer per input: as many as the adapter allows.
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
  });
  const info = adapter.info;
  const result: Gpu = {
    instance: gpu,
    adapter,
    pending: new Set(),
    device,
    adapterName: `${info?.vendor ?? "?"} ${info?.architecture ?? ""}`.trim(),
  };
  void device.lost.then((l) => {
    result.lost = `webgpu: the GPU device was lost (${l.reason}: ${l.message})`;
  });
  return result;
}
