import {
  NDArray,
  allocate,
  array,
  cast,
  getBackend,
  kernelsOf,
  ShapeError,
  type DeviceStorage,
  type DType,
  type NestedArray,
  type TypedArray,
} from "@chainrule/ndarray";

export interface VariableOptions {
  name?: string;
  /** Trainable variables are watched by every tape automatically (default true). */
  trainable?: boolean;
  dtype?: DType;
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * A private contiguous copy of `x` in the current backend's memory: host memory, or the device of a
 * device backend (WebGPU), where the weights then stay for training.
 */
function ownCopy(x: NDArray): TypedArray | DeviceStorage {
  const backend = getBackend();
  if (!backend.device) return x.toTypedArray();
  const out = new NDArray(backend.device.allocate(x.dtype, x.size), [...x.shape], x.dtype);
  kernelsOf(backend).copy([backend.device.accept(x)], {}, out);
  return out.storage;
}

/**
 * Trainable state: an NDArray with its own buffer whose values optimizers overwrite in place
 * (`assign`), so a training loop allocates nothing for the weights. Every op accepts it as an array.
 * Values are read when an op runs: assigning after recording changes what a persistent tape saved.
 * A Variable created while a device backend is current lives in that device's memory.
 */
export class Variable extends NDArray {
  name: string;
  trainable: boolean;

  constructor(value: NDArray | NestedArray | TypedArray, options: VariableOptions = {}) {
    const src = value instanceof NDArray ? value : array(value as NestedArray, { dtype: options.dtype });
    const typed = options.dtype && src.dtype !== options.dtype ? cast(src, options.dtype) : src;
    // A private contiguous copy: in-place updates must never write through someone else's buffer.
    super(ownCopy(typed), [...typed.shape], typed.dtype);
    this.name = options.name ?? "variable";
    this.trainable = options.trainable ?? true;
  }

  /** Overwrites the values in place (same shape; the dtype is converted). */
  assign(value: NDArray | number): this {
    if (typeof value === "number") {
      if (!this.onDevice) this.buffer.fill(value);
      else this.writeDevice(allocate(this.dtype, this.size).fill(value));
      return this;
    }
    if (value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i])) {
      throw new ShapeError(
        `Variable.assign: '${this.name}' has shape ${fmt(this.shape)}, the value has ${fmt(value.shape)}`,
      );
    }
    if (!this.onDevice) this.buffer.set(value.dataSync());
    else {
      const backend = getBackend();
      const v = value.dtype === this.dtype ? value : cast(value, this.dtype);
      kernelsOf(backend).copy([backend.device ? backend.device.accept(v) : v], {}, this);
    }
    return this;
  }

  private writeDevice(values: TypedArray): void {
    const device = getBackend().device;
    if (!device)
      throw new Error(`Variable.assign: '${this.name}' lives on a device that is not the current backend`);
    device.write(this.storage as DeviceStorage, this.dtype, 0, values);
  }

  /** In place: this -= delta. */
  assignSub(delta: NDArray): this {
    return this.assign(this.sub(delta));
  }

  /** In place: this += delta. */
  assignAdd(delta: NDArray): this {
    return this.assign(this.add(delta));
  }

  /** A snapshot of the current values that later assignments do not change. */
  read(): NDArray {
    return new NDArray(this.onDevice ? ownCopy(this) : this.toTypedArray(), this.shape, this.dtype);
  }
}
