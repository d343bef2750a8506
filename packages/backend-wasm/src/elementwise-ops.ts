// ndarray's elementwise primitives on the wasm backend: which ops run in wasm (a table over every op name,
// so a new op in ndarray fails the type check here until someone decides), and the kernels that do it.
import { jsBackend, type BinaryOp, type Kernel, type NDArray, type UnaryOp } from "@chainrule/ndarray";
import type { FloatArray } from "./dtype";
import { binary, binaryRowBroadcast, binaryScalar, unary } from "./elementwise";

/**
 * Below this many output elements an elementwise op stays in JS: the copies into wasm memory and back cost
 * about what the op saves. Measured per kernel call, copies included (float32, CPU time, 2026-12-04, loaded
 * 2-core VM): at 2,048 elements wasm was 0.8–1.9× the reference, at 4,096 1.3–2.5× (add 3.7 against 8.2 µs,
 * relu 2.7 against 5.2, gt 6.1 against 8.2, cast bool → float32 3.9 against 9.9), at 25,600 2.4–4.6×.
 */
export const WASM_ELEMENTWISE_MIN_SIZE = 4096;

/**
 * true: the op runs in wasm for float32/float64. Only exactly rounded ops do, so results are bit-identical to
 * the reference kernels and to the graph's fused JS loops (eager = traced). The transcendental ones use musl's
 * Math in wasm, within an ulp of V8's but not equal to it, so they stay on the reference kernels. Comparisons
 * write bool arrays: they run as one-member group programs (src/elementwise-groups.ts).
 */
export const WASM_UNARY: { readonly [K in UnaryOp]: boolean } = {
  neg: true,
  abs: true,
  sign: true,
  exp: false,
  log: false,
  log1p: false,
  expm1: false,
  sqrt: true,
  sin: false,
  cos: false,
  tanh: false,
  sigmoid: false,
  relu: true,
  floor: true,
  ceil: true,
  round: true,
};

export const WASM_BINARY: { readonly [K in BinaryOp]: boolean } = {
  add: true,
  sub: true,
  mul: true,
  div: true,
  pow: false,
  maximum: true,
  minimum: true,
  eq: true,
  ne: true,
  lt: true,
  le: true,
  gt: true,
  ge: true,
};

const isFloat = (x: NDArray): boolean => x.dtype === "float32" || x.dtype === "float64";

/** The elements of a contiguous array, as the typed array wasm copies from. */
const flat = (x: NDArray): FloatArray => x.dataSync() as FloatArray;
const outFlat = (out: NDArray): FloatArray =>
  (out.buffer as FloatArray).subarray(out.offset, out.offset + out.size);

/** The wasm kernel of unary `op` (the reference kernel for small, non-float or strided inputs). */
export function wasmUnaryKernel<K extends UnaryOp>(op: K, minSize = WASM_ELEMENTWISE_MIN_SIZE): Kernel<K> {
  const reference = jsBackend.kernels[op] as Kernel<K>;
  return (inputs, params, out) => {
    const x = inputs[0]!;
    if (out.size < minSize || !isFloat(out) || x.dtype !== out.dtype || !x.isContiguous) {
      return reference(inputs, params, out);
    }
    unary(op, flat(x), outFlat(out));
  };
}

/** Whether `b` is one row repeated over `out`'s leading axes: its shape, without leading 1s, ends out's. */
function isTrailingRow(b: NDArray, out: NDArray): boolean {
  if (!b.isContiguous || b.size === 0) return false;
  const shape = b.shape.slice(b.shape.findIndex((d) => d !== 1));
  const tail = out.shape.slice(out.shape.length - shape.length);
  return shape.length > 0 && shape.every((d, i) => d === tail[i]);
}

// Commutative bit for bit (IEEE a + b = b + a), so a row broadcast on the left can be swapped.
const COMMUTES: ReadonlySet<BinaryOp> = new Set(["add", "mul"]);

/**
 * The wasm kernel of binary `op`: same-shape operands, one scalar operand, or a row broadcast (a bias);
 * anything else (other broadcasts, strided views, small or non-float arrays) runs the reference kernel.
 */
export function wasmBinaryKernel<K extends BinaryOp>(op: K, minSize = WASM_ELEMENTWISE_MIN_SIZE): Kernel<K> {
  const reference = jsBackend.kernels[op] as Kernel<K>;
  return (inputs, params, out) => {
    const [a, b] = inputs as [NDArray, NDArray];
    const float = isFloat(out) && a.dtype === out.dtype && b.dtype === out.dtype;
    if (!float || out.size < minSize) return reference(inputs, params, out);
    const y = outFlat(out);
    const full = (x: NDArray) => x.size === out.size && x.isContiguous;
    if (full(a) && full(b)) return void binary(op, flat(a), flat(b), y);
    if (full(a) && b.size === 1) return void binaryScalar(op, flat(a), b.dataSync()[0]!, false, y);
    if (full(b) && a.size === 1) return void binaryScalar(op, flat(b), a.dataSync()[0]!, true, y);
    if (full(a) && isTrailingRow(b, out)) return void binaryRowBroadcast(op, flat(a), flat(b), y);
    if (full(b) && COMMUTES.has(op) && isTrailingRow(a, out)) {
      return void binaryRowBroadcast(op, flat(b), flat(a), y);
    }
    reference(inputs, params, out);
  };
}

const COMPARE: ReadonlySet<string> = new Set(["eq", "ne", "lt", "le", "gt", "ge"]);

type UnaryKernels = { [K in UnaryOp]?: Kernel<K> };
type BinaryKernels = { [K in BinaryOp]?: Kernel<K> };

/** The kernels of every op that `WASM_UNARY` / `WASM_BINARY` put in wasm, except the comparisons. */
export function elementwiseKernels(): UnaryKernels & BinaryKernels {
  const table: Record<string, Kernel<UnaryOp> | Kernel<BinaryOp>> = {};
  for (const op of Object.keys(WASM_UNARY) as UnaryOp[]) if (WASM_UNARY[op]) table[op] = wasmUnaryKernel(op);
  for (const op of Object.keys(WASM_BINARY) as BinaryOp[]) {
    // Comparisons write bool arrays: their kernels are compareKernels() of src/elementwise-groups.ts.
    if (WASM_BINARY[op] && !COMPARE.has(op)) table[op] = wasmBinaryKernel(op);
  }
  return table as UnaryKernels & BinaryKernels;
}
