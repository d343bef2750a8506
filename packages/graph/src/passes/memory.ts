import {
  NDArray,
  allocate,
  type Backend,
  type DType,
  type DeviceMemory,
  type Kernel,
  type ResidentMemory,
} from "@chainrule/ndarray";
import { GraphError } from "../errors";
import type { Allocator } from "./buffers";
import type { Slot } from "./types";

/**
 * Where a plan's arrays live: JS typed arrays for host backends, the backend's own storage for device
 * backends (WebGPU), so that a run touches host memory only for the feeds and the values read back.
 */
export interface PlanMemory {
  readonly device: DeviceMemory | undefined;
  readonly allocate: Allocator;
  /**
   * For buffers whose values the plan hands out (fetched results), where they differ from the plan's own:
   * resident plans keep their buffers in the backend's memory, which is freed with the plan, so what a caller
   * may keep lives in ordinary typed arrays. Undefined: `allocate` serves both.
   */
  readonly allocateEscaping?: Allocator;
  /** A fresh zeroed contiguous array (`escapes`: one the plan hands out). */
  empty(shape: readonly number[], dtype: DType, escapes?: boolean): NDArray;
  /** A contiguous array of `shape` at the start of a slot (which may be larger). */
  over(slot: Slot, shape: readonly number[]): NDArray;
  /** A constant where the kernels read it (uploaded once, keeping its layout). */
  resident(value: NDArray): NDArray;
  /** A step that zero-fills `out` (for kernels that do not write every element). */
  zeroer(out: NDArray): () => void;
  /** Copies a feed into a placeholder's array. */
  feed(dst: NDArray, x: NDArray, copy: Kernel<"copy">): void;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

const hostMemory: PlanMemory = {
  device: undefined,
  allocate,
  empty: (shape, dtype) => NDArray.empty(shape, dtype),
  over(slot, shape) {
    const size = sizeOf(shape);
    const buf = slot.storage as ReturnType<typeof allocate>;
    return new NDArray(buf.length === size ? buf : buf.subarray(0, size), shape, slot.dtype);
  },
  resident: (value) => value,
  zeroer(out) {
    const buf = out.buffer;
    return () => buf.fill(0);
  },
  feed(dst, x, copy) {
    if (!x.isContiguous || x.onDevice) return copy([x], {}, dst);
    const b = x.buffer;
    dst.buffer.set(x.offset === 0 && b.length === x.size ? b : b.subarray(x.offset, x.offset + x.size));
  },
};

/**
 * Host memory whose plan-internal buffers are the backend's resident arrays (wasm memory), read and written in
 * place by its kernels and freed once `owner` (the plan) is garbage; fetched values stay in JS typed arrays.
 */
function residentMemory(resident: ResidentMemory, owner: object): PlanMemory {
  const own: Allocator = (dtype, size) =>
    size > 0 ? resident.allocate(dtype, size, owner) : allocate(dtype, 0);
  return {
    ...hostMemory,
    allocate: own,
    allocateEscaping: allocate,
    empty: (shape, dtype, escapes) =>
      new NDArray((escapes ? allocate : own)(dtype, sizeOf(shape)), shape, dtype),
  };
}

function deviceMemory(device: DeviceMemory): PlanMemory {
  return {
    device,
    allocate: (dtype, size) => device.allocate(dtype, size),
    empty: (shape, dtype) => new NDArray(device.allocate(dtype, sizeOf(shape)), shape, dtype),
    over: (slot, shape) => new NDArray(slot.storage, shape, slot.dtype),
    resident(value) {
      if (value.onDevice) return value;
      // The whole buffer goes up, so that the constant's strides and offset (and its views') still hold.
      const raw = device.accept(new NDArray(value.buffer, [value.buffer.length], value.dtype));
      return new NDArray(raw.storage, value.shape, value.dtype, value.strides, value.offset);
    },
    zeroer(out) {
      const zeros = allocate(out.dtype, out.size);
      return () => device.write(out.storage as never, out.dtype, 0, zeros);
    },
    feed(dst, x, copy) {
      if (x.onDevice) return copy([x], {}, dst);
      device.write(dst.storage as never, dst.dtype, 0, x.toTypedArray());
    },
  };
}

/** The plan's memory on `backend`; resident buffers (where the backend has them) belong to `owner`. */
export function planMemory(backend: Backend, owner: object): PlanMemory {
  if (backend.device) return deviceMemory(backend.device);
  return backend.residentMemory ? residentMemory(backend.residentMemory, owner) : hostMemory;
}

/** A Variable must live where the plan's kernels read and its update writes. */
export function checkResidence(x: NDArray, what: string, backend: Backend): void {
  if (x.onDevice === Boolean(backend.device)) return;
  const where = x.onDevice ? "device" : "host";
  throw new GraphError(
    `graph: ${what} lives in ${where} memory but the plan runs on the '${backend.name}' backend; ` +
      "create the model (its Variables) after choosing the backend with np.setBackend",
  );
}
