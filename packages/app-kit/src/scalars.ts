import * as np from "@chainrule/ndarray";

/**
 * One-element arrays (a loss per step, a coordinate) collected without reading each one. A host value is
 * read at once (`item()`, as a CPU loop always did); a device value (WebGPU) is copied on the device, since
 * a traced step overwrites its output buffer on the next call, and `take()` reads them all together: one
 * wait for the GPU per log step instead of one per training step.
 */
export class ScalarLog {
  private values: (number | np.NDArray)[] = [];

  get length(): number {
    return this.values.length;
  }

  push(x: np.NDArray | number): void {
    if (typeof x === "number") this.values.push(x);
    else if (x.size !== 1)
      throw new TypeError(`ScalarLog.push: expected one element, got shape [${x.shape.join(", ")}]`);
    else this.values.push(x.onDevice ? np.mul(x, 1) : x.item());
  }

  /** The values pushed since the last `take`, as numbers: the device ones concatenated there, one read. */
  async take(): Promise<number[]> {
    const pending = this.values;
    this.values = [];
    const device = pending.filter((v): v is np.NDArray => typeof v !== "number");
    if (device.length === 0) return pending as number[];
    const read = await np.concat(device.map((v) => np.reshape(v, [1]))).data();
    let k = 0;
    return pending.map((v) => (typeof v === "number" ? v : read[k++]!));
  }
}

/** The value of a one-element array: `item()` on the host, `await data()` on a device (WebGPU). */
export async function scalar(x: np.NDArray): Promise<number> {
  if (x.size !== 1) throw new TypeError(`scalar: expected one element, got shape [${x.shape.join(", ")}]`);
  return x.onDevice ? (await x.data())[0]! : x.item();
}
