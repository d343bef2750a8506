import {
  NDArray,
  array,
  cast,
  ShapeError,
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
    // A private contiguous copy: in-place updates must never write through someone else's buffer.
    super(typed.toTypedArray(), [...typed.shape], typed.dtype);
    this.name = options.name ?? "variable";
    this.trainable = options.trainable ?? true;
  }

  /** Overwrites the values in place (same shape; the dtype is converted). */
  assign(value: NDArray | number): this {
    if (typeof value === "number") {
      this.buffer.fill(value);
      return this;
    }
    if (value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i])) {
      throw new ShapeError(
        `Variable.assign: '${this.name}' has shape ${formatShape(this.shape)}, the value has ${formatShape(value.shape)}`,
      );
    }
    this.buffer.set(value.dataSync());
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
    return new NDArray(this.toTypedArray(), this.shape, this.dtype);
  }
}
