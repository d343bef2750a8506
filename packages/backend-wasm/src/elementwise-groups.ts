// Eager kernels that run as one-member fused-group programs (src/group.ts): comparisons (bool outputs), cast
// between float32, float64 and bool, and where. The program has the reference kernels' semantics: each output
// is the op on the inputs' values, stored in the output's dtype.
import {
  jsBackend,
  type CompareOp,
  type DType,
  type ElementwiseMember,
  type Kernel,
  NDArray,
} from "@chainrule/ndarray";
import { WASM_ELEMENTWISE_MIN_SIZE } from "./elementwise-ops";
import { compileElementwiseAnySize } from "./group";

/** `x` viewed in `shape` (NumPy broadcasting: stride 0 on new and size-1 axes), without recording an op. */
function broadcast(x: NDArray, shape: readonly number[]): NDArray {
  const lead = shape.length - x.ndim;
  const strides = shape.map((d, i) => (i < lead || x.shape[i - lead] !== d ? 0 : x.strides[i - lead]!));
  return new NDArray(x.buffer, shape, x.dtype, strides, x.offset);
}

/** Runs `member` over `inputs` into `out` in wasm; false when the group program declines it. */
function runAsGroup(member: ElementwiseMember, inputs: readonly NDArray[], out: NDArray): boolean {
  if (out.size < WASM_ELEMENTWISE_MIN_SIZE) return false;
  const ext = inputs.map((x) => broadcast(x, out.shape));
  const run = compileElementwiseAnySize({
    members: [member],
    ext,
    extLiteral: ext.map(() => undefined),
    out,
  });
  if (!run) return false;
  run();
  return true;
}

const operands = (n: number) => Array.from({ length: n }, (_, j) => -(j + 1));

/** A comparison's kernel: bool out, in wasm for large float and bool inputs. */
export function wasmCompareKernel<K extends CompareOp>(op: K): Kernel<K> {
  const reference = jsBackend.kernels[op] as Kernel<K>;
  return (inputs, params, out) => {
    if (!runAsGroup({ op, dtype: "bool", operands: operands(2) }, inputs, out))
      reference(inputs, params, out);
  };
}

/** Every comparison's kernel. */
export function compareKernels(): { [K in CompareOp]: Kernel<K> } {
  return {
    eq: wasmCompareKernel("eq"),
    ne: wasmCompareKernel("ne"),
    lt: wasmCompareKernel("lt"),
    le: wasmCompareKernel("le"),
    gt: wasmCompareKernel("gt"),
    ge: wasmCompareKernel("ge"),
  };
}

const reference = jsBackend.kernels;

/** cast between float32, float64 and bool in wasm (integer targets keep the reference's range checks). */
export const wasmCast: Kernel<"cast"> = (inputs, params, out) => {
  const castTo: DType = params.dtype;
  const member: ElementwiseMember = { op: "cast", dtype: castTo, castTo, operands: [-1] };
  if (castTo === "int32" || castTo === "uint8" || !runAsGroup(member, inputs, out)) {
    reference.cast(inputs, params, out);
  }
};

export const wasmWhere: Kernel<"where"> = (inputs, params, out) => {
  if (!runAsGroup({ op: "where", dtype: out.dtype, operands: operands(3) }, inputs, out)) {
    reference.where(inputs, params, out);
  }
};
