// Operation codes passed to the wasm kernels; must match assembly/elementwise.ts and assembly/fused.ts.
export const UNARY_OPS = {
  neg: 0,
  abs: 1,
  exp: 2,
  log: 3,
  sqrt: 4,
  tanh: 5,
  sigmoid: 6,
  relu: 7,
  square: 8,
} as const;

export const BINARY_OPS = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
} as const;

export const ACTIVATIONS = {
  none: 0,
  relu: 1,
  sigmoid: 2,
  tanh: 3,
} as const;

export type UnaryOp = keyof typeof UNARY_OPS;
export type BinaryOp = keyof typeof BINARY_OPS;
export type Activation = keyof typeof ACTIVATIONS;

export function opcode<T extends Record<string, number>>(table: T, name: string, kind: string): number {
  if (!Object.prototype.hasOwnProperty.call(table, name)) throw new RangeError(`unknown ${kind} "${name}"`);
  return table[name as keyof T] as number;
}
