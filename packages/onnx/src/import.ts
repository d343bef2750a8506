import { noGrad, type Variable } from "@chainrule/autograd";
import { transpose, zeros, formatShape, type NDArray } from "@chainrule/ndarray";
import {
  BatchNorm1d,
  Dense,
  Dropout,
  Flatten,
  LeakyReLU,
  LogSoftmax,
  Module,
  ReLU,
  Reshape,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
} from "@chainrule/nn";
import { OnnxError } from "./errors";
import { axisPads } from "./layers";
import { Permute } from "./permute";
import { onnx, readTensor, toInt, type Attribute, type Graph, type Node, type Tensor } from "./proto";

type ModelProtoT = InstanceType<typeof onnx.ModelProto>;

type Pair = number | readonly [number, number];
type Padding = "valid" | "same";

/** The layer classes of @chainrule/layer-conv, passed in by the caller (it is an optional peer). */
export interface ConvLayers {
  Conv2D: new (
    filters: number,
    kernelSize: Pair,
    options?: {
      strides?: Pair;
      padding?: Padding;
      dilationRate?: Pair;
      useBias?: boolean;
      inputChannels?: number;
    },
  ) => Module & { kernel: Variable | undefined; bias: Variable | undefined };
  MaxPool2D: new (poolSize?: Pair, options?: { strides?: Pair; padding?: Padding }) => Module;
  AvgPool2D?: new (poolSize?: Pair, options?: { strides?: Pair; padding?: Padding }) => Module;
}

export interface ImportOnnxOptions {
  /** `await import("@chainrule/layer-conv")`: needed for models with Conv, MaxPool or AveragePool. */
  layerConv?: ConvLayers;
  /** Largest file accepted (default 1 GiB). */
  maxBytes?: number;
  /** Largest initializer, and largest input sample, in elements (default 2^26). */
  maxElements?: number;
}

const SUPPORTED =
  "Gemm, MatMul(+Add), Conv, MaxPool, AveragePool, Relu, LeakyRelu, Sigmoid, Tanh, Softmax, LogSoftmax, Flatten, Reshape, Transpose, BatchNormalization, Dropout, Identity, Constant";
const IDENTITY4 = [0, 1, 2, 3];
const NHWC = [0, 2, 3, 1];

function attr(node: Node, name: string): Attribute | undefined {
  return node.attribute?.find((a) => a.name === name);
}
const ints = (node: Node, name: string, dflt: number[]): number[] =>
  attr(node, name)?.ints?.map((v) => toInt(v, `${node.opType} ${name}`)) ?? dflt;
const int = (node: Node, name: string, dflt: number): number => {
  const a = attr(node, name);
  return a && a.i !== undefined && a.i !== null ? toInt(a.i, `${node.opType} ${name}`) : dflt;
};
const float = (node: Node, name: string, dflt: number): number => attr(node, name)?.f ?? dflt;
const sameList = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);
const inverse = (p: readonly number[]) => p.map((_, i) => p.indexOf(i));

/** Turns a chain of ONNX nodes into Sequential layers, tracking the layout (NCHW in ONNX, NHWC in chainrule). */
class Converter {
  readonly layers: Module[] = [];
  private readonly tensors = new Map<string, Tensor>();
  /** chainrule's tensor is `transpose(onnxTensor, perm)`. */
  private perm: number[];
  /** chainrule's current shape for a batch of one. */
  private shape: number[];
  current: string;

  constructor(
    initializers: Tensor[],
    input: string,
    shape: number[],
    readonly options: ImportOnnxOptions,
  ) {
    for (const t of initializers) this.tensors.set(t.name ?? "", t);
    this.current = input;
    this.shape = shape;
    this.perm = shape.map((_, i) => i);
  }

  private get maxElements(): number {
    return this.options.maxElements ?? 2 ** 26;
  }

  /** An initializer or Constant as float32 values. */
  weight(node: Node, index: number): NDArray {
    const t = this.tensor(node, index);
    const { values } = readTensor(t, this.maxElements);
    if (Array.isArray(values))
      throw new OnnxError(`${who(node)}: input '${t.name}' must be float32, got int64`);
    return values;
  }

  ints(node: Node, index: number): number[] {
    const t = this.tensor(node, index);
    const { values } = readTensor(t, this.maxElements);
    if (!Array.isArray(values)) throw new OnnxError(`${who(node)}: input '${t.name}' must be int64`);
    return values;
  }

  private tensor(node: Node, index: number): Tensor {
    const name = node.input?.[index];
    const t = name ? this.tensors.get(name) : undefined;
    if (!t)
      throw new OnnxError(
        `${who(node)}: input ${index} ('${name ?? ""}') must be an initializer or a Constant`,
      );
    return t;
  }

  has(node: Node, index: number): boolean {
    return !!node.input?.[index];
  }

  constant(node: Node): void {
    const value = attr(node, "value")?.t;
    if (!value) throw new OnnxError(`${who(node)}: only tensor-valued Constants are supported`);
    this.tensors.set(node.output?.[0] ?? "", { ...value, name: node.output?.[0] ?? "" });
  }

  get rank(): number {
    return this.shape.length;
  }

  get chainruleShape(): readonly number[] {
    return this.shape;
  }

  /** Makes chainrule's tensor `transpose(onnxTensor, target)`, adding a Permute layer when needed. */
  layout(target: readonly number[]): void {
    const pInv = inverse(this.perm);
    const q = target.map((t) => pInv[t]!);
    if (
      !sameList(
        q,
        this.perm.map((_, i) => i),
      )
    )
      this.add(new Permute(q));
    this.perm = [...target];
  }

  /** chainrule's layout equals ONNX's. */
  plain(): void {
    this.layout(this.perm.map((_, i) => i));
  }

  nhwc(node: Node): void {
    if (this.rank !== 4)
      throw new OnnxError(`${who(node)}: expected a 4-D NCHW input, got rank ${this.rank}`);
    this.layout(NHWC);
  }

  /** An ONNX Transpose changes only how the two layouts relate: no layer. */
  transposeNode(node: Node): void {
    const t = ints(
      node,
      "perm",
      this.perm.map((_, i) => this.rank - 1 - i),
    );
    if (
      !sameList(
        [...t].sort((a, b) => a - b),
        this.perm.map((_, i) => i),
      )
    )
      throw new OnnxError(`${who(node)}: perm [${t.join(", ")}] does not fit a rank-${this.rank} tensor`);
    const tInv = inverse(t);
    this.perm = this.perm.map((p) => tInv[p]!);
  }

  /** Appends a layer and runs it on a batch of one, so shapes are known (and checked) as the model grows. */
  add(layer: Module): void {
    this.layers.push(layer);
    layer.eval();
    let size = 1;
    for (const d of this.shape) size *= d;
    if (size > this.maxElements)
      throw new OnnxError(`importOnnx: a tensor of shape ${formatShape(this.shape)} is over the limit`);
    this.shape = [...noGrad(() => layer.call(zeros(this.shape, "float32"))).shape];
    // Layers that change the rank are only added with the two layouts equal.
    if (this.shape.length !== this.perm.length) this.perm = this.shape.map((_, i) => i);
  }

  get isIdentity(): boolean {
    return this.perm.every((p, i) => p === i);
  }
}

const who = (node: Node) => `${node.opType ?? "?"} (node '${node.name || node.output?.[0] || "?"}')`;

function assign(v: Variable | undefined, value: NDArray, what: string): void {
  if (!v || v.shape.join() !== value.shape.join())
    throw new OnnxError(`${what}: expected shape [${v?.shape.join(", ")}], got ${formatShape(value.shape)}`);
  noGrad(() => v.assign(value));
}

function convLayers(node: Node, c: Converter): ConvLayers {
  const lc = c.options.layerConv;
  if (!lc)
    throw new OnnxError(
      `${who(node)}: needs @chainrule/layer-conv: importOnnx(bytes, { layerConv: await import("@chainrule/layer-conv") })`,
    );
  return lc;
}

/** chainrule's padding name for ONNX pads, or an error: it has "valid" and TensorFlow's "same" only. */
function padding(node: Node, c: Converter, k: number[], s: number[], d: number[]): Padding {
  const autoPad = attr(node, "auto_pad")?.s;
  const mode = autoPad ? new TextDecoder().decode(autoPad) : "NOTSET";
  if (mode === "VALID") return "valid";
  if (mode === "SAME_UPPER") return "same";
  if (mode !== "NOTSET") throw new OnnxError(`${who(node)}: auto_pad ${mode} is not supported`);
  const pads = ints(node, "pads", [0, 0, 0, 0]);
  if (pads.every((p) => p === 0)) return "valid";
  const [, h, w] = c.chainruleShape as [number, number, number, number];
  const [top, bottom] = axisPads(h, k[0]!, s[0]!, d[0]!, "same");
  const [left, right] = axisPads(w, k[1]!, s[1]!, d[1]!, "same");
  if (sameList(pads, [top, left, bottom, right])) return "same";
  throw new OnnxError(
    `${who(node)}: pads [${pads.join(", ")}] on a ${h}×${w} input are neither "valid" nor TensorFlow's "same" ([${[top, left, bottom, right].join(", ")}])`,
  );
}

function conv(node: Node, c: Converter): void {
  const { Conv2D } = convLayers(node, c);
  if (int(node, "group", 1) !== 1)
    throw new OnnxError(`${who(node)}: grouped convolutions are not supported`);
  const w = c.weight(node, 1);
  if (w.ndim !== 4) throw new OnnxError(`${who(node)}: expected a 4-D weight, got ${formatShape(w.shape)}`);
  const [cout, cin, kh, kw] = w.shape as [number, number, number, number];
  const k = ints(node, "kernel_shape", [kh, kw]);
  if (!sameList(k, [kh, kw]))
    throw new OnnxError(`${who(node)}: kernel_shape [${k}] disagrees with the weight`);
  const s = ints(node, "strides", [1, 1]);
  const d = ints(node, "dilations", [1, 1]);
  c.nhwc(node);
  const layer = new Conv2D(cout, [kh, kw], {
    strides: [s[0]!, s[1]!],
    dilationRate: [d[0]!, d[1]!],
    padding: padding(node, c, k, s, d),
    useBias: c.has(node, 2),
    inputChannels: cin,
  });
  // ONNX's [cout, cin, kh, kw] to chainrule's [kh, kw, cin, cout].
  assign(layer.kernel, transpose(w, [2, 3, 1, 0]), who(node));
  if (c.has(node, 2)) assign(layer.bias, c.weight(node, 2), who(node));
  c.add(layer);
}

function pool(node: Node, c: Converter, max: boolean): void {
  const lc = convLayers(node, c);
  const k = ints(node, "kernel_shape", []);
  if (k.length !== 2) throw new OnnxError(`${who(node)}: expected a 2-D kernel_shape, got [${k.join(", ")}]`);
  const s = ints(node, "strides", [1, 1]);
  if (int(node, "ceil_mode", 0) !== 0) throw new OnnxError(`${who(node)}: ceil_mode 1 is not supported`);
  if (!ints(node, "dilations", [1, 1]).every((v) => v === 1))
    throw new OnnxError(`${who(node)}: dilated pooling is not supported`);
  c.nhwc(node);
  const pad = padding(node, c, k, s, [1, 1]);
  const options = { strides: [s[0]!, s[1]!] as const, padding: pad };
  if (max) return c.add(new lc.MaxPool2D([k[0]!, k[1]!], options));
  if (!lc.AvgPool2D) throw new OnnxError(`${who(node)}: layerConv has no AvgPool2D`);
  if (pad === "same" && int(node, "count_include_pad", 0) !== 0)
    throw new OnnxError(
      `${who(node)}: count_include_pad 1 with padding is not supported (AvgPool2D leaves it out)`,
    );
  c.add(new lc.AvgPool2D([k[0]!, k[1]!], options));
}

function dense(node: Node, c: Converter, w: NDArray, bias: NDArray | undefined): void {
  c.plain();
  if (w.ndim !== 2) throw new OnnxError(`${who(node)}: expected a 2-D weight, got ${formatShape(w.shape)}`);
  const [inputDim, units] = w.shape as [number, number];
  const layer = new Dense(units, { inputDim, useBias: bias !== undefined });
  assign(layer.kernel, w, who(node));
  if (bias) assign(layer.bias, bias.ndim === 2 ? bias.reshape([units]) : bias, who(node));
  c.add(layer);
}

function gemm(node: Node, c: Converter): void {
  if (float(node, "alpha", 1) !== 1 || float(node, "beta", 1) !== 1 || int(node, "transA", 0) !== 0)
    throw new OnnxError(`${who(node)}: only alpha = beta = 1 and transA = 0 are supported`);
  let w = c.weight(node, 1);
  if (int(node, "transB", 0) === 1) w = transpose(w, [1, 0]); // nn.Linear stores [out, in]
  dense(node, c, w, c.has(node, 2) ? c.weight(node, 2) : undefined);
}

function reshape(node: Node, c: Converter): void {
  c.plain();
  if (int(node, "allowzero", 0) !== 0) throw new OnnxError(`${who(node)}: allowzero is not supported`);
  const target = c.ints(node, 1);
  const [first, ...rest] = target;
  if (first !== 0 && !(first === -1 && !rest.includes(-1)))
    throw new OnnxError(
      `${who(node)}: shape [${target.join(", ")}] must keep the batch axis (0 or -1 first)`,
    );
  c.add(new Reshape(rest.map((d, i) => (d === 0 ? c.chainruleShape[i + 1]! : d))));
}

function batchNorm(node: Node, c: Converter): void {
  if (int(node, "training_mode", 0) !== 0)
    throw new OnnxError(`${who(node)}: training_mode is not supported`);
  if (c.rank !== 2 && c.rank !== 3)
    throw new OnnxError(
      `${who(node)}: a rank-${c.rank} input (BatchNorm2d?); chainrule has BatchNorm1d ([N, C] or [N, C, L])`,
    );
  c.plain();
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => c.weight(node, i)) as NDArray[];
  const layer = new BatchNorm1d(gamma!.size, { eps: float(node, "epsilon", 1e-5) });
  assign(layer.gamma, gamma!, who(node));
  assign(layer.beta, beta!, who(node));
  assign(layer.runningMean, mean!, who(node));
  assign(layer.runningVar, variance!, who(node));
  c.add(layer);
}

/** One node; returns how many nodes it consumed (MatMul takes the Add of its bias with it). */
function convert(nodes: Node[], i: number, c: Converter): number {
  const node = nodes[i]!;
  const op = node.opType ?? "";
  if (op === "Constant") return (c.constant(node), 1);
  if (node.input?.[0] !== c.current)
    throw new OnnxError(
      `${who(node)}: reads '${node.input?.[0]}', not the previous output '${c.current}' (only chains of layers are supported)`,
    );
  c.current = node.output?.[0] ?? "";
  switch (op) {
    case "Gemm":
      return (gemm(node, c), 1);
    case "MatMul": {
      const next = nodes[i + 1];
      const bias = next?.opType === "Add" && next.input?.[0] === c.current && next.input.length === 2;
      dense(node, c, c.weight(node, 1), bias ? c.weight(next!, 1) : undefined);
      if (bias) c.current = next!.output?.[0] ?? "";
      return bias ? 2 : 1;
    }
    case "Conv":
      return (conv(node, c), 1);
    case "MaxPool":
    case "AveragePool":
      if ((node.output?.length ?? 1) > 1 && node.output![1])
        throw new OnnxError(`${who(node)}: the Indices output is not supported`);
      return (pool(node, c, op === "MaxPool"), 1);
    case "Relu":
      return (c.add(new ReLU()), 1);
    case "Sigmoid":
      return (c.add(new Sigmoid()), 1);
    case "Tanh":
      return (c.add(new Tanh()), 1);
    case "LeakyRelu":
      return (c.add(new LeakyReLU(float(node, "alpha", 0.01))), 1);
    case "Softmax":
    case "LogSoftmax": {
      c.plain();
      const axis = int(node, "axis", -1);
      return (c.add(op === "Softmax" ? new Softmax(axis) : new LogSoftmax(axis)), 1);
    }
    case "Flatten":
      if (int(node, "axis", 1) !== 1) throw new OnnxError(`${who(node)}: only axis 1 is supported`);
      c.plain();
      return (c.add(new Flatten()), 1);
    case "Reshape":
      return (reshape(node, c), 1);
    case "Transpose":
      return (c.transposeNode(node), 1);
    case "BatchNormalization":
      return (batchNorm(node, c), 1);
    case "Dropout":
    case "Identity":
      if (op === "Dropout" && (node.output?.length ?? 1) > 1 && node.output![1])
        throw new OnnxError(`${who(node)}: the mask output is not supported`);
      return 1;
    default:
      throw new OnnxError(
        `importOnnx: op ${op} (node '${node.name || node.output?.[0] || "?"}') is not supported (supported: ${SUPPORTED})`,
      );
  }
}

function decode(bytes: Uint8Array, maxBytes: number): ModelProtoT {
  if (!(bytes instanceof Uint8Array))
    throw new OnnxError("importOnnx: expected the file's bytes (a Uint8Array)");
  if (bytes.length > maxBytes)
    throw new OnnxError(`importOnnx: ${bytes.length} bytes is over the limit of ${maxBytes}`);
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new OnnxError(`importOnnx: not a valid ONNX file (truncated or corrupt: ${(e as Error).message})`);
  }
}

function inputShape(
  graph: Graph,
  initializers: Set<string>,
  maxElements: number,
): { name: string; shape: number[] } {
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? ""));
  if (inputs.length !== 1) throw new OnnxError(`importOnnx: expected one graph input, got ${inputs.length}`);
  const v = inputs[0]!;
  const t = v.type?.tensorType;
  if (!t || t.elemType !== onnx.TensorProto.DataType.FLOAT)
    throw new OnnxError(`importOnnx: input '${v.name}' must be a float32 tensor`);
  const dims = t.shape?.dim ?? [];
  let size = 1;
  const shape = dims.map((d, i) => {
    if (i === 0) return 1; // the batch, dynamic or not
    const n =
      d.dimValue !== undefined && d.dimValue !== null ? toInt(d.dimValue, `input '${v.name}' dim ${i}`) : 0;
    if (n <= 0) throw new OnnxError(`importOnnx: input '${v.name}' dim ${i} must be a fixed positive size`);
    size *= n;
    if (size > maxElements)
      throw new OnnxError(`importOnnx: input '${v.name}' has more than ${maxElements} elements per sample`);
    return n;
  });
  if (shape.length === 0) throw new OnnxError(`importOnnx: input '${v.name}' needs a batch axis`);
  return { name: v.name ?? "", shape };
}

/**
 * An ONNX model (ours, or PyTorch's `torch.onnx.export`) as a chainrule Sequential in evaluation mode. The graph
 * must be a chain of supported ops; its input and output keep the file's layout: an NCHW model gets Permute
 * layers around chainrule's NHWC Conv2D and pooling, so it takes and returns exactly what onnxruntime does.
 */
export function importOnnx(bytes: Uint8Array, options: ImportOnnxOptions = {}): Sequential {
  const model = decode(bytes, options.maxBytes ?? 2 ** 30);
  const graph = model.graph;
  if (!graph) throw new OnnxError("importOnnx: the file has no graph");
  const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx");
  const version = opset ? toInt(opset.version ?? 0, "opset version") : 0;
  if (version < 13) throw new OnnxError(`importOnnx: opset ${version} is too old (13 or newer)`);
  const initializers = graph.initializer ?? [];
  const names = new Set(initializers.map((t) => t.name ?? ""));
  const input = inputShape(graph, names, options.maxElements ?? 2 ** 26);
  const c = new Converter(initializers, input.name, input.shape, options);
  const nodes = graph.node ?? [];
  for (let i = 0; i < nodes.length;) i += convert(nodes, i, c);
  const outputs = graph.output ?? [];
  if (outputs.length !== 1 || outputs[0]!.name !== c.current)
    throw new OnnxError(`importOnnx: expected one graph output, the last node's ('${c.current}')`);
  c.plain();
  return new Sequential(c.layers).eval();
}
