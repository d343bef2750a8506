import type { Variable } from "@chainrule/autograd";
import { getActivation, type ActivationFn, type ActivationName, type Module } from "@chainrule/nn";

// @chainrule/layer-conv is an optional peer: its layers are recognised by their public fields, never imported,
// so this package works without it (and with any copy of it).

type Pair = readonly [number, number];

/** The public face of layer-conv's Conv2D. */
export interface ConvLike extends Module {
  readonly filters: number;
  readonly kernelSize: Pair;
  readonly strides: Pair;
  readonly padding: "valid" | "same";
  readonly dilationRate: Pair;
  readonly activation: ActivationFn;
  kernel: Variable | undefined;
  bias: Variable | undefined;
}

/** The public face of layer-conv's MaxPool2D and AvgPool2D. */
export interface PoolLike extends Module {
  readonly poolSize: Pair;
  readonly strides: Pair;
  readonly padding: "valid" | "same";
}

const isPair = (v: unknown): boolean => Array.isArray(v) && v.length === 2;

export function isConv2D(m: Module): m is ConvLike {
  const c = m as unknown as Partial<ConvLike>;
  return (
    m.constructor.name === "Conv2D" &&
    typeof c.filters === "number" &&
    isPair(c.kernelSize) &&
    isPair(c.strides) &&
    isPair(c.dilationRate) &&
    typeof c.activation === "function"
  );
}

export function poolKind(m: Module): "MaxPool" | "AveragePool" | undefined {
  const p = m as unknown as Partial<PoolLike>;
  if (!isPair(p.poolSize) || !isPair(p.strides)) return undefined;
  if (m.constructor.name === "MaxPool2D") return "MaxPool";
  if (m.constructor.name === "AvgPool2D") return "AveragePool";
  return undefined;
}

const NAMES: readonly ActivationName[] = [
  "linear",
  "relu",
  "leakyRelu",
  "sigmoid",
  "tanh",
  "softmax",
  "logSoftmax",
];

/** The name of a built-in activation function, or undefined for a user's own function. */
export function activationName(fn: ActivationFn): ActivationName | undefined {
  return NAMES.find((n) => getActivation(n) === fn);
}

/** TensorFlow's "same"/"valid" padding along one axis (the extra element goes after), as layer-conv computes it. */
export function axisPads(
  size: number,
  k: number,
  stride: number,
  dilation: number,
  padding: string,
): [number, number] {
  if (padding !== "same") return [0, 0];
  const span = (k - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
