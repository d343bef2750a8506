import { ShapeError, transpose, formatShape, type NDArray } from "@chainrule/ndarray";
import { Module } from "@chainrule/nn";

/**
 * Permutes the axes of its input (the batch axis included): `new Permute([0, 2, 3, 1])` turns NCHW into NHWC.
 * importOnnx puts it where an ONNX model's layout (NCHW) and chainrule's (NHWC) meet.
 */
export class Permute extends Module {
  readonly perm: readonly number[];

  constructor(perm: readonly number[]) {
    super();
    const sorted = [...perm].sort((a, b) => a - b);
    if (sorted.some((p, i) => p !== i))
      throw new ShapeError(`Permute: [${perm.join(", ")}] is not a permutation`);
    this.perm = [...perm];
  }

  forward(x: NDArray): NDArray {
    if (x.ndim !== this.perm.length) {
      throw new ShapeError(
        `Permute([${this.perm.join(", ")}]): expected ${this.perm.length} axes, got ${formatShape(x.shape)}`,
      );
    }
    return transpose(x, this.perm);
  }

  protected override extraRepr(): string {
    return `[${this.perm.join(", ")}]`;
  }
}
