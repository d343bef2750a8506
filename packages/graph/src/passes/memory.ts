import {
  NDArray,
  allocate,
  type Backend,
  type DType,
  type DeviceMemory,
  type Kernel,
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
  /** A fresh zeroed contiguous array. */
  empty(shape: readonly number[], dtype: DType): NDArray;
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

/** The plan's memory on `backend`. */
export function planMemory(backend: Backend): PlanMemory {
  return backend.device ? deviceMemory(backend.device) : hostMemory;
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
