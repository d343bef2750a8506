import { formatShape } from "@chainrule/ndarray";
import type { DType } from "@chainrule/ndarray";
import { OnnxError } from "./errors";
import { attrInt, attrInts, type Attribute } from "./proto";
import { elemType } from "./proto-values";
import { describeNode, type GraphNodeLike } from "./traced-graph";

/** What a primitive's mapping sees: its node, its inputs' ONNX names, and a way to add nodes. */
export interface OpContext {
  readonly node: GraphNodeLike;
  /** The node's inputs in the graph (shapes, dtypes). */
  readonly args: readonly GraphNodeLike[];
  /** For each axis of the node (and of each input): 0 if fixed, c for c × batch. */
  readonly factors: readonly number[];
  readonly argFactors: readonly (readonly number[])[];
  /** The ONNX names of the inputs, cast to `dtype` when given and different. */
  inputs(dtype?: DType): string[];
  input(index: number, dtype?: DType): string;
  /** Adds a node; without `output` it writes the node's own result. Returns the output name. */
  emit(opType: string, inputs: string[], attrs?: Attribute[], output?: string): string;
  int64(values: readonly number[]): string;
  /** A scalar initializer of `dtype`. */
  scalar(value: number, dtype: DType): string;
}

type OpMapping = (c: OpContext) => void;

const fail = (c: OpContext, why: string): never => {
  throw new OnnxError(`exportOnnx: ${describeNode(c.node)} ${why}`);
};

/** Elementwise ops: inputs in the output's dtype (chainrule promotes before recording), one ONNX node. */
const elementwise =
  (opType: string): OpMapping =>
  (c) => {
    c.emit(opType, c.inputs(c.node.dtype));
  };

const comparison =
  (opType: string, negate = false): OpMapping =>
  (c) => {
    const ins = c.inputs();
    if (!negate) return void c.emit(opType, ins);
    c.emit("Not", [c.emit(opType, ins, [], `${ins[0]}_${opType.toLowerCase()}_${c.node.id}`)]);
  };

/** log1p = Log(x + 1), expm1 = Exp(x) − 1, with a scalar 1 of the node's type. */
function withOne(c: OpContext, kind: "log1p" | "expm1"): void {
  const [x] = c.inputs(c.node.dtype);
  const one = c.scalar(1, c.node.dtype);
  const mid = `${kind}_${c.node.id}`;
  if (kind === "log1p") c.emit("Log", [c.emit("Add", [x!, one], [], mid)]);
  else c.emit("Sub", [c.emit("Exp", [x!], [], mid), one]);
}

function reduce(opType: string, axesAsInput: boolean): OpMapping {
  return (c) => {
    const axes = (c.node.params as { axes: readonly number[] }).axes;
    const [x] = c.inputs(c.node.dtype);
    if (axes.length === 0) return void c.emit("Identity", [x!]);
    const keepdims = c.node.shape.length === c.args[0]!.shape.length ? 1 : 0;
    if (axesAsInput) c.emit(opType, [x!, c.int64(axes)], [attrInt("keepdims", keepdims)]);
    else c.emit(opType, [x!], [attrInts("axes", axes), attrInt("keepdims", keepdims)]);
  };
}

function argReduce(opType: string): OpMapping {
  return (c) => {
    const { axis } = c.node.params as { axis: number };
    const keepdims = c.node.shape.length === c.args[0]!.shape.length ? 1 : 0;
    const idx = c.emit(
      opType,
      c.inputs(),
      [attrInt("axis", axis), attrInt("keepdims", keepdims)],
      `arg_${c.node.id}`,
    );
    c.emit("Cast", [idx], [attrInt("to", elemType(c.node.dtype))]);
  };
}

/** The target shape with the batch axis as −1 (Reshape infers it); two batch axes cannot be written so. */
function reshape(c: OpContext): void {
  const dynamic = c.factors.filter((f) => f > 0).length;
  if (dynamic > 1) fail(c, `reshapes to ${formatShape(c.node.shape)} with ${dynamic} batch-sized axes`);
  if (c.node.shape.includes(0)) fail(c, `reshapes to an empty shape ${formatShape(c.node.shape)}`);
  const shape = c.node.shape.map((d, i) => (c.factors[i]! > 0 ? -1 : d));
  c.emit("Reshape", [c.inputs()[0]!, c.int64(shape)]);
}

/** Expand broadcasts both ways: a 1 keeps the input's (batch) axis. */
function expand(c: OpContext): void {
  const inFactors = c.argFactors[0]!;
  const lead = c.node.shape.length - inFactors.length;
  const shape = c.node.shape.map((d, i) => {
    const f = c.factors[i]!;
    if (f === 0) return d;
    if (inFactors[i - lead] !== f) fail(c, `broadcasts a fixed-size axis ${i} to the batch size`);
    return 1;
  });
  c.emit("Expand", [c.inputs()[0]!, c.int64(shape)]);
}

/** Slice: ONNX's `ends` from chainrule's start, step and length; batch axes must be taken whole. */
function slice(c: OpContext): void {
  const { starts, steps } = c.node.params as { starts: readonly number[]; steps: readonly number[] };
  const inShape = c.args[0]!.shape;
  const s: number[] = [];
  const e: number[] = [];
  const ax: number[] = [];
  const st: number[] = [];
  c.node.shape.forEach((len, i) => {
    const start = starts[i]!;
    const step = steps[i]!;
    const whole = start === 0 && step === 1 && len === inShape[i];
    if (c.argFactors[0]![i]! > 0) {
      if (!whole || c.factors[i] !== c.argFactors[0]![i]) fail(c, `slices the batch axis ${i}`);
      return;
    }
    if (whole) return;
    let end = len === 0 ? start : start + (len - 1) * step + Math.sign(step);
    if (end < 0) end -= inShape[i]!; // −1 means "before index 0": past the start once ONNX adds the size
    s.push(start);
    e.push(end);
    ax.push(i);
    st.push(step);
  });
  const [x] = c.inputs();
  if (ax.length === 0) return void c.emit("Identity", [x!]);
  c.emit("Slice", [x!, c.int64(s), c.int64(e), c.int64(ax), c.int64(st)]);
}

// layer-conv's primitives work on NHWC; ONNX's Conv and MaxPool on NCHW.
export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];

interface Window {
  inH: number;
  inW: number;
  channels: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

/** The window's attributes for ONNX: bottom/right padding so that the output has chainrule's size. */
export function windowAttrs(w: Window): Attribute[] {
  const after = (out: number, s: number, d: number, k: number, size: number, before: number) =>
    Math.max(0, (out - 1) * s + d * (k - 1) + 1 - size - before);
  return [
    attrInts("kernel_shape", [w.kh, w.kw]),
    attrInts("strides", [w.strideH, w.strideW]),
    attrInts("dilations", [w.dilationH, w.dilationW]),
    attrInts("pads", [
      w.padTop,
      w.padLeft,
      after(w.outH, w.strideH, w.dilationH, w.kh, w.inH, w.padTop),
      after(w.outW, w.strideW, w.dilationW, w.kw, w.inW, w.padLeft),
    ]),
  ];
}

/**
 * im2col (`[N, H, W, C]` → `[N, outH, outW, kh·kw·C]`, rows ordered (ky, kx, c)) as a Conv whose kernel is
 * one-hot: output channel (ky·kw + kx)·C + c copies input channel c at tap (ky, kx). Each output is one
 * input value plus exact zeros, so the values are chainrule's bit for bit; the matmul that follows it in
 * the graph does the arithmetic.
 */
function im2col(c: OpContext, weight: (w: Window) => string): void {
  const w = c.node.params as Window;
  const [x] = c.inputs("float32");
  const id = c.node.id;
  const nchw = c.emit("Transpose", [x!], [attrInts("perm", TO_NCHW)], `im2col_in_${id}`);
  const cols = c.emit("Conv", [nchw, weight(w)], windowAttrs(w), `im2col_cols_${id}`);
  c.emit("Transpose", [cols], [attrInts("perm", TO_NHWC)]);
}

/** maxPoolGather(x, x) is max pooling; with two different inputs it has no ONNX counterpart. */
function maxPool(c: OpContext): void {
  const w = c.node.params as Window;
  if (c.node.inputs[0] !== c.node.inputs[1]) fail(c, "selects with one array and gathers from another");
  const [x] = c.inputs("float32");
  const id = c.node.id;
  const nchw = c.emit("Transpose", [x!], [attrInts("perm", TO_NCHW)], `pool_in_${id}`);
  const pooled = c.emit("MaxPool", [nchw], windowAttrs(w), `pool_${id}`);
  c.emit("Transpose", [pooled], [attrInts("perm", TO_NHWC)]);
}

const UNARY: Record<string, string> = {
  neg: "Neg",
  abs: "Abs",
  sign: "Sign",
  exp: "Exp",
  log: "Log",
  sqrt: "Sqrt",
  sin: "Sin",
  cos: "Cos",
  tanh: "Tanh",
  sigmoid: "Sigmoid",
  relu: "Relu",
  floor: "Floor",
  ceil: "Ceil",
  round: "Round", // both round half to even
};

const ARITH: Record<string, string> = {
  add: "Add",
  sub: "Sub",
  mul: "Mul",
  div: "Div",
  pow: "Pow",
  maximum: "Max",
  minimum: "Min",
  matmul: "MatMul",
};

/** The primitives with an ONNX mapping, by name; `im2colWeight` builds the one-hot kernels. */
export function opTable(im2colWeight: (w: Window) => string): Record<string, OpMapping> {
  const table: Record<string, OpMapping> = {
    log1p: (c) => withOne(c, "log1p"),
    expm1: (c) => withOne(c, "expm1"),
    eq: comparison("Equal"),
    ne: comparison("Equal", true),
    lt: comparison("Less"),
    le: comparison("LessOrEqual"),
    gt: comparison("Greater"),
    ge: comparison("GreaterOrEqual"),
    // ReduceSum takes its axes as an input since opset 13, the others from opset 18 only.
    sum: reduce("ReduceSum", true),
    prod: reduce("ReduceProd", false),
    max: reduce("ReduceMax", false),
    min: reduce("ReduceMin", false),
    argmax: argReduce("ArgMax"),
    argmin: argReduce("ArgMin"),
    where: (c) => {
      const t = c.node.dtype;
      c.emit("Where", [c.input(0, "bool"), c.input(1, t), c.input(2, t)]);
    },
    cast: (c) => void c.emit("Cast", c.inputs(), [attrInt("to", elemType(c.node.dtype))]),
    copy: (c) => void c.emit("Identity", c.inputs()),
    alias: (c) => void c.emit("Identity", c.inputs()),
    reshape,
    permute: (c) => {
      const { perm } = c.node.params as { perm: readonly number[] };
      c.emit("Transpose", c.inputs(), [attrInts("perm", perm)]);
    },
    expand,
    slice,
    concat: (c) => {
      const { axis } = c.node.params as { axis: number };
      c.emit("Concat", c.inputs(c.node.dtype), [attrInt("axis", axis)]);
    },
    gather: (c) => {
      const { axis } = c.node.params as { axis: number };
      c.emit("Gather", c.inputs(), [attrInt("axis", axis)]);
    },
    im2col: (c) => im2col(c, im2colWeight),
    maxPoolGather: maxPool,
    // layer-conv's bias + ReLU epilogue (relu(y + bias) over the last axis): Add, then Relu.
    biasRelu: (c) => {
      const sum = c.emit("Add", c.inputs(c.node.dtype), [], `bias_relu_sum_${c.node.id}`);
      c.emit("Relu", [sum]);
    },
  };
  for (const [name, op] of Object.entries(UNARY)) table[name] = elementwise(op);
  for (const [name, op] of Object.entries(ARITH)) table[name] = elementwise(op);
  return table;
}

export type { Window, OpMapping };
