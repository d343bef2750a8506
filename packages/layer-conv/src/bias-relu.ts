import * as np from "@chainrule/ndarray";
import {
  definePrimitive,
  formatShape,
  isFloat,
  ShapeError,
  type DefinedPrimitive,
  type NDArray,
} from "@chainrule/ndarray";

/** No parameters. */
export type BiasReluParams = Record<string, never>;

/** What `definePrimitive` returns for `biasRelu`: call it as `biasRelu([y, bias], {})`. */
export type BiasReluPrimitive = ((inputs: readonly NDArray[], params: BiasReluParams) => NDArray) & {
  primitive: DefinedPrimitive<BiasReluParams>;
};

function checkInputs(y: NDArray | undefined, bias: NDArray | undefined): [NDArray, NDArray] {
  if (!y || !bias || y.ndim < 1 || bias.ndim !== 1 || bias.shape[0] !== y.shape[y.ndim - 1]) {
    throw new ShapeError(
      `biasRelu: expected y [..., C] and a bias [C], got ${y ? formatShape(y.shape) : "nothing"} and ${bias ? formatShape(bias.shape) : "nothing"}`,
    );
  }
  if (!isFloat(y.dtype) || y.dtype !== bias.dtype) {
    throw new TypeError(`biasRelu: y and bias must share one float dtype, got ${y.dtype} and ${bias.dtype}`);
  }
  return [y, bias];
}

/** relu(y + bias[c]) element by element, with np.relu's rule (v ≤ 0 → 0, NaN passes through). */
function biasReluKernel(y: ArrayLike<number>, bias: ArrayLike<number>, out: np.TypedArray): void {
  const c = bias.length;
  for (let i = 0, j = 0; i < out.length; i++, j = j + 1 === c ? 0 : j + 1) {
    // A float32 sum computed in float64 has the sign of its float32 rounding, so the test can come first.
    const v = y[i]! + bias[j]!;
    out[i] = v <= 0 ? 0 : v;
  }
}

/**
 * `relu(y + bias)` with `bias` along the last axis, in one pass: the bias + ReLU epilogue of a convolution.
 * The same values as `np.relu(np.add(y, bias))`, bit for bit; a backend can run it as one kernel
 * (`@chainrule/backend-wasm/conv` does) instead of two elementwise passes over the activation. Its gradient
 * is written with ops: `g · (out > 0)` for y, summed down to the bias's shape for the bias.
 */
export const biasRelu: BiasReluPrimitive = definePrimitive<BiasReluParams>({
  name: "biasRelu",
  output: (inputs) => {
    const [y] = checkInputs(inputs[0], inputs[1]);
    return { shape: y.shape, dtype: y.dtype };
  },
  kernel: ([y, bias], _p, out) =>
    biasReluKernel(y!.dataSync(), bias!.dataSync(), out.buffer as np.TypedArray),
  vjp: (g, inputs, out, _p, needs) => {
    // The same ops relu's and add's gradients run, so the fused layer's gradients equal the unfused ones.
    const gy = np.mul(g, np.cast(np.gt(out, 0), g.dtype));
    return [gy, needs[1] ? np.sumTo(gy, inputs[1]!.shape) : null];
  },
});
