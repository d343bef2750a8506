// Operation codes passed to the wasm kernels. The unary and binary ones are generated from @chainrule/ndarray's
// op tables (src/generated/ops.ts, by scripts/gen-ops.mjs); the activations must match assembly/fused.ts.
import type { BinaryOp, UnaryOp } from "@chainrule/ndarray";
export { BINARY_CODES as BINARY_OPS, UNARY_CODES as UNARY_OPS } from "./generated/ops";
export type { BinaryOp, UnaryOp };
export const ACTIVATIONS = {
  none: 0,
  relu: 1,
  sigmoid: 2,
  tanh: 3,
} as const;

export type Activation = keyof typeof ACTIVATIONS;

export function opcode<T extends Record<string, number>>(table: T, name: string, kind: string): number {
  if (!Object.prototype.hasOwnProperty.call(table, name)) throw new RangeError(`unknown ${kind} "${name}"`);
  return table[name as keyof T] as number;
}
