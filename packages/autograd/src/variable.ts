import {
  NDArray,
  array,
  cast,
  getBackend,
  kernelsOf,
  ShapeError,
  type DeviceBackend,
  type DeviceStorage,
  formatShape,
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

/** The current backend when it is a device backend (WebGPU): Variables created under it live there. */
function currentDevice(): DeviceBackend | undefined {
  const b = getBackend();
  return b.device ? b : undefined;
}

/** A private contiguous copy of `x` in the device's memory (uploaded, or copied on the device). */
function deviceCopy(backend: DeviceBackend, x: NDArray): NDArray {
  const own = new NDArray(backend.device.allocate(x.dtype, x.size), [...x.shape], x.dtype);
  if (x.onDevice) kernelsOf(backend).copy([x], {}, own);
  else if (x.size > 0) backend.device.write(own.storage as DeviceStorage, x.dtype, 0, x.toTypedArray());
  return own;
}

/**
 * Trainable state: an NDArray with its own buffer whose values optimizers overwrite in place
 * (`assign`), so a training loop allocates nothing for the weights. Every op accepts it as an array.
 * Values are read when an op runs: assigning after recording changes what a persistent tape saved.
 */
export class Variable extends NDArray {
  name: string;
  trainable: boolean;

  constructor(value: NDArray | NestedArray | TypedArray, options: VariableOptions = {}) {
    const src = value instanceof NDArray ? value : array(value as NestedArray, { dtype: options.dtype });
    const typed = options.dtype && src.dtype !== options.dtype ? cast(src, options.dtype) : src;
    // A private contiguous copy: in-place updates must never write through someone else's buffer. Under a
    // device backend it lives in the device's memory, so training updates it there (optimizers, assign).
    const device = currentDevice();
    const storage = device ? deviceCopy(device, typed).storage : typed.toTypedArray();
    super(storage, [...typed.shape], typed.dtype);
    this.name = options.name ?? "variable";
    this.trainable = options.trainable ?? true;
  }

  /** Overwrites the values in place (same shape; the dtype is converted). */
  assign(value: NDArray | number): this {
    if (this.onDevice) return this.assignOnDevice(value);
    if (typeof value === "number") {
      this.buffer.fill(value);
      return this;
    }
    this.checkShape(value);
    this.buffer.set(value.dataSync());
    return this;
  }

  private checkShape(value: NDArray): void {
    if (value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i])) {
      throw new ShapeError(
        `Variable.assign: '${this.name}' has shape ${formatShape(this.shape)}, the value has ${formatShape(value.shape)}`,
      );
    }
  }

  /** The device backend holding this Variable, which must be the current one (its kernels do the copy). */
  private owner(op: string): DeviceBackend {
    const device = currentDevice();
    const where = (this.storage as DeviceStorage).backend;
    if (!device || device.name !== where)
      throw new Error(
        `Variable.${op}: '${this.name}' lives on the '${where}' backend; make it the current one (setBackend) first`,
      );
    return device;
  }

  /** Device values are copied on the device; host values (and numbers) are written into its memory. */
  private assignOnDevice(value: NDArray | number): this {
    const backend = this.owner("assign");
    const storage = this.storage as DeviceStorage;
    if (typeof value === "number") {
      // A host buffer of this dtype converts the number as the host path's fill does.
      const all = NDArray.empty([this.size], this.dtype).buffer;
      all.fill(this.dtype === "bool" ? Number(value !== 0) : value);
      if (this.size > 0) backend.device.write(storage, this.dtype, 0, all);
      return this;
    }
    this.checkShape(value);
    let src = value.dtype === this.dtype ? value : cast(value, this.dtype);
    if (!src.onDevice) {
      if (this.size > 0) backend.device.write(storage, this.dtype, 0, src.toTypedArray());
      return this;
    }
    // A kernel may not read and write one buffer: a value that views this Variable is copied first.
    if (src.storage === storage) src = deviceCopy(backend, src);
    kernelsOf(backend).copy([src], {}, this);
    return this;
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
    if (this.onDevice) return deviceCopy(this.owner("read"), this);
    return new NDArray(this.toTypedArray(), this.shape, this.dtype);
  }
}
