import {
  BackendError,
  NDArray,
  type DType,
  type DeviceMemory,
  type DeviceStorage,
  type TypedArray,
} from "@chainrule/ndarray";
import { MAP_READ_MODE, USAGE, checkGpu, type Gpu } from "./gpu";
import { flush, recordWrite } from "./batch";

export const BACKEND_NAME = "webgpu";

/**
 * A GPU buffer of 32-bit words, one per element: float32 as f32, int32 as i32, uint8 and bool as u32
 * (0–255 / 0–1). Word-per-element keeps every kernel free of byte packing. float64 has no buffer:
 * WGSL has no f64, and the kernel that meets it names the op in its error.
 */
export interface GpuStorage extends DeviceStorage {
  readonly buffer: GPUBuffer | null;
}

export const float64Error = (op: string) =>
  new BackendError(
    `${op}: float64 arrays are not supported on the webgpu backend (WGSL has no float64); ` +
      `use the js or wasm backend for float64, or cast to float32 first`,
  );

/** The words the GPU stores for host elements of `dtype`. */
function toWords(dtype: DType, values: TypedArray): GPUAllowSharedBufferSource {
  // Host arrays live on plain ArrayBuffers (a wasm backend's shared memory is copied by `from`).
  type Words = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer>;
  if (dtype === "float32")
    return (values instanceof Float32Array ? values : Float32Array.from(values)) as Words;
  if (dtype === "int32") return (values instanceof Int32Array ? values : Int32Array.from(values)) as Words;
  return Uint32Array.from(values);
}

function fromWords(dtype: DType, bytes: ArrayBuffer): TypedArray {
  if (dtype === "float32") return new Float32Array(bytes);
  if (dtype === "int32") return new Int32Array(bytes);
  return Uint8Array.from(new Uint32Array(bytes));
}

/** Rejects once the device is lost, so a read in flight reports the loss instead of waiting forever. */
function lostError(gpu: Gpu): Promise<never> {
  return gpu.device.lost.then((l) => {
    throw new BackendError(`webgpu: the GPU device was lost while reading (${l.reason}: ${l.message})`);
  });
}

/** Zero-filled storage for `size` elements (WebGPU zero-initializes new buffers); none for float64. */
export function gpuStorage(device: GPUDevice, dtype: DType, size: number): GpuStorage {
  if (dtype === "float64") return { backend: BACKEND_NAME, length: size, buffer: null };
  const buffer = device.createBuffer({
    size: Math.max(4, size * 4),
    usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST,
  });
  return { backend: BACKEND_NAME, length: size, buffer };
}

export function gpuMemory(gpu: Gpu): DeviceMemory {
  const { device } = gpu;
  const storage = (dtype: DType, size: number) => gpuStorage(device, dtype, size);
  const memory: DeviceMemory = {
    allocate: storage,
    accept(x) {
      if (x.onDevice) return x;
      const s = storage(x.dtype, x.size);
      if (s.buffer && x.size > 0) device.queue.writeBuffer(s.buffer, 0, toWords(x.dtype, x.toTypedArray()));
      return new NDArray(s, x.shape, x.dtype);
    },
    async read(s, dtype, offset, size) {
      const buffer = (s as GpuStorage).buffer;
      if (!buffer) throw float64Error("data");
      flush(gpu); // the kernels recorded so far, then the copy below
      await checkGpu(gpu);
      if (size === 0) return fromWords(dtype, new ArrayBuffer(0));
      const staging = device.createBuffer({ size: size * 4, usage: USAGE.MAP_READ | USAGE.COPY_DST });
      device.pushErrorScope("validation");
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(buffer, offset * 4, staging, 0, size * 4);
      device.queue.submit([enc.finish()]);
      const failed = await device.popErrorScope();
      if (failed) {
        staging.destroy();
        throw new BackendError(
          `data: reading ${size} elements from offset ${offset} failed: ${failed.message}`,
        );
      }
      await Promise.race([staging.mapAsync(MAP_READ_MODE), lostError(gpu)]);
      const bytes = staging.getMappedRange().slice(0);
      staging.unmap();
      staging.destroy();
      return fromWords(dtype, bytes);
    },
    write(s, dtype, offset, values) {
      const buffer = (s as GpuStorage).buffer;
      if (!buffer) throw float64Error("write");
      const words = toWords(dtype, values) as ArrayBufferView;
      recordWrite(gpu, buffer, offset * 4, new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
    },
  };
  return memory;
}
