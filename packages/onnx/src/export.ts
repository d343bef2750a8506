import { noGrad } from "@chainrule/autograd";
import { NDArray, ones, zeros } from "@chainrule/ndarray";
import {
  Activation,
  BatchNorm1d,
  Dense,
  Dropout,
  Flatten,
  LeakyReLU,
  LogSoftmax,
  Module,
  moduleBrand,
  ReLU,
  Reshape,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
  withEvalMode,
  type ActivationFn,
} from "@chainrule/nn";
import { OnnxError } from "./errors";
import { activationName, axisPads, isConv2D, poolKind, type ConvLike, type PoolLike } from "./layers";
import { Permute } from "./permute";
import { exportTraced } from "./traced-export";
import { isTraced, type TracedLike } from "./traced-graph";
import {
  attrFloat,
  attrInt,
  attrInts,
  FLOAT,
  floatTensor,
  int64Tensor,
  onnx,
  type Graph,
  type Node,
  type Tensor,
  type ValueInfo,
} from "./proto";

export const OPSET = 17;
export const INPUT_NAME = "input";
export const OUTPUT_NAME = "output";

export interface ExportOnnxOptions {
  /** Name of the batch dimension in the file (default "batch"). */
  batchName?: string;
  /** Model name stored in the graph (default "chainrule"). */
  graphName?: string;
}

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

/** Collects nodes and initializers while walking the layers; tracks whether the tensor is NCHW for ONNX's Conv. */
class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  current = INPUT_NAME;
  nchw = false;
  private count = 0;

  fresh(prefix: string): string {
    return `${prefix}_${this.count++}`;
  }

  weight(prefix: string, x: NDArray, perm?: readonly number[]): string {
    const name = this.fresh(prefix);
    this.initializers.push(floatTensor(name, x, perm));
    return name;
  }

  /** Appends a node reading the current tensor (plus `extra` inputs); its output becomes current. */
  op(opType: string, extra: string[] = [], attribute: Node["attribute"] = []): void {
    const output = this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, name: output, input: [this.current, ...extra], output: [output], attribute });
    this.current = output;
  }

  /** Back to chainrule's own layout (NHWC) before any op that reads axes in it. */
  chainruleLayout(): void {
    if (this.nchw) this.op("Transpose", [], [attrInts("perm", TO_NHWC)]);
    this.nchw = false;
  }

  onnxLayout(): void {
    if (!this.nchw) this.op("Transpose", [], [attrInts("perm", TO_NCHW)]);
    this.nchw = true;
  }
}

/** Sequential models are walked layer by layer (nested ones too); anything else is one layer. */
function flattenLayers(model: Module): Module[] {
  if (model instanceof Sequential) return model.layers.flatMap(flattenLayers);
  return [model];
}

/** The shape each layer receives when the model runs on the example (evaluation mode, no tape). */
function inputShapes(model: Module, layers: Module[], example: NDArray): number[][] {
  return withEvalMode(model, () =>
    noGrad(() => {
      const shapes: number[][] = [];
      let x = example;
      for (const layer of layers) {
        shapes.push([...x.shape]);
        x = layer.call(x);
      }
      shapes.push([...x.shape]);
      return shapes;
    }),
  );
}

function emitActivation(b: GraphBuilder, fn: ActivationFn, who: string): void {
  const name = activationName(fn);
  if (name === undefined) {
    throw new OnnxError(
      `${who}: the custom activation function '${fn.name || "anonymous"}' has no ONNX mapping (use a built-in name)`,
    );
  }
  if (name === "linear") return;
  if (name === "leakyRelu") return b.op("LeakyRelu", [], [attrFloat("alpha", 0.2)]);
  if (name === "softmax" || name === "logSoftmax") {
    b.chainruleLayout();
    return b.op(name === "softmax" ? "Softmax" : "LogSoftmax", [], [attrInt("axis", -1)]);
  }
  const ops = { relu: "Relu", sigmoid: "Sigmoid", tanh: "Tanh" } as const;
  b.op(ops[name]);
}

function emitDense(b: GraphBuilder, layer: Dense): void {
  if (!layer.kernel) throw new OnnxError(`Dense(${layer.units}): not built (call the model once first)`);
  b.chainruleLayout();
  b.op("MatMul", [b.weight("dense_kernel", layer.kernel)]);
  if (layer.bias) b.op("Add", [b.weight("dense_bias", layer.bias)]);
  emitActivation(b, layer.activation, `Dense(${layer.units})`);
}

function emitConv(b: GraphBuilder, layer: ConvLike, shape: number[]): void {
  const who = `Conv2D(${layer.filters}, ${layer.kernelSize.join("×")})`;
  if (!layer.kernel) throw new OnnxError(`${who}: not built (call the model once first)`);
  const [kh, kw] = layer.kernelSize;
  const [sh, sw] = layer.strides;
  const [dh, dw] = layer.dilationRate;
  const [top, bottom] = axisPads(shape[1]!, kh, sh, dh, layer.padding);
  const [left, right] = axisPads(shape[2]!, kw, sw, dw, layer.padding);
  b.onnxLayout();
  // chainrule's kernel is [kh, kw, cin, cout]; ONNX's is [cout, cin, kh, kw].
  const inputs = [b.weight("conv_kernel", layer.kernel, [3, 2, 0, 1])];
  if (layer.bias) inputs.push(b.weight("conv_bias", layer.bias));
  b.op("Conv", inputs, [
    attrInts("kernel_shape", [kh, kw]),
    attrInts("strides", [sh, sw]),
    attrInts("dilations", [dh, dw]),
    attrInts("pads", [top, left, bottom, right]),
  ]);
  emitActivation(b, layer.activation, who);
}

function emitPool(
  b: GraphBuilder,
  layer: PoolLike,
  opType: "MaxPool" | "AveragePool",
  shape: number[],
): void {
  const [kh, kw] = layer.poolSize;
  const [sh, sw] = layer.strides;
  const [top, bottom] = axisPads(shape[1]!, kh, sh, 1, layer.padding);
  const [left, right] = axisPads(shape[2]!, kw, sw, 1, layer.padding);
  b.onnxLayout();
  const attrs = [
    attrInts("kernel_shape", [kh, kw]),
    attrInts("strides", [sh, sw]),
    attrInts("pads", [top, left, bottom, right]),
  ];
  // layer-conv's average leaves the padding out of the mean.
  if (opType === "AveragePool") attrs.push(attrInt("count_include_pad", 0));
  b.op(opType, [], attrs);
}

function emitBatchNorm(b: GraphBuilder, layer: BatchNorm1d): void {
  const { runningMean, runningVar, gamma, beta, numFeatures: c } = layer;
  if (!runningMean || !runningVar) {
    throw new OnnxError(
      `BatchNorm1d(${c}): without running statistics (trackRunningStats: false) inference uses batch statistics, which ONNX's BatchNormalization cannot express`,
    );
  }
  b.chainruleLayout();
  const inputs = [
    b.weight("bn_scale", gamma ?? ones([c], "float32")),
    b.weight("bn_bias", beta ?? zeros([c], "float32")),
    b.weight("bn_mean", runningMean),
    b.weight("bn_var", runningVar),
  ];
  b.op("BatchNormalization", inputs, [attrFloat("epsilon", layer.eps)]);
}

function emitReshape(b: GraphBuilder, layer: Reshape): void {
  if (layer.targetShape.includes(0)) throw new OnnxError(`Reshape: a 0 in [${layer.targetShape.join(", ")}]`);
  b.chainruleLayout();
  const name = b.fresh("reshape_shape");
  // 0 copies the (dynamic) batch dimension from the input.
  b.initializers.push(int64Tensor(name, [0, ...layer.targetShape]));
  b.op("Reshape", [name]);
}

/** One layer's nodes; a layer with no ONNX mapping is an error naming it. */
function emitLayer(b: GraphBuilder, layer: Module, shape: number[]): void {
  if (layer instanceof Dense) return emitDense(b, layer);
  if (isConv2D(layer)) return emitConv(b, layer, shape);
  const pool = poolKind(layer);
  if (pool) return emitPool(b, layer as PoolLike, pool, shape);
  if (layer instanceof Flatten) {
    b.chainruleLayout();
    return b.op("Flatten", [], [attrInt("axis", 1)]);
  }
  if (layer instanceof Reshape) return emitReshape(b, layer);
  if (layer instanceof Dropout) return; // the identity in inference
  if (layer instanceof ReLU) return b.op("Relu");
  if (layer instanceof Sigmoid) return b.op("Sigmoid");
  if (layer instanceof Tanh) return b.op("Tanh");
  if (layer instanceof LeakyReLU) return b.op("LeakyRelu", [], [attrFloat("alpha", layer.alpha)]);
  if (layer instanceof Activation) return emitActivation(b, layer.fn, "Activation");
  if (layer instanceof Softmax || layer instanceof LogSoftmax) {
    b.chainruleLayout();
    return b.op(layer instanceof Softmax ? "Softmax" : "LogSoftmax", [], [attrInt("axis", layer.axis)]);
  }
  if (layer instanceof BatchNorm1d) return emitBatchNorm(b, layer);
  if (layer instanceof Permute) {
    b.chainruleLayout();
    return b.op("Transpose", [], [attrInts("perm", layer.perm)]);
  }
  throw new OnnxError(
    `exportOnnx: layer ${layer.constructor.name} has no ONNX mapping (supported: Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten, Reshape, Dropout, BatchNorm1d, activations)`,
  );
}

function valueInfo(name: string, shape: readonly number[], batchName: string): ValueInfo {
  const dim = shape.map((d, i) => (i === 0 ? { dimParam: batchName } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } };
}

/**
 * The model as an ONNX file (opset 17): weights as initializers, the first axis a dynamic batch dimension,
 * inputs and outputs exactly as chainrule's (NHWC images stay NHWC; Transpose nodes surround ONNX's NCHW
 * Conv and pooling). `exampleInput` fixes the other dimensions (a batch of 1 is enough).
 */
export function exportOnnx(model: Module, exampleInput: NDArray, options?: ExportOnnxOptions): Uint8Array;
/**
 * A traced function (`trace` from @chainrule/graph) as an ONNX file: every primitive its outputs need as
 * ONNX nodes, its Variables and constants as initializers, its placeholders as inputs. Each placeholder's
 * first axis must be `null` (the dynamic batch dimension).
 */
export function exportOnnx(traced: TracedLike, options?: ExportOnnxOptions): Uint8Array;
export function exportOnnx(
  model: Module | TracedLike,
  second?: NDArray | ExportOnnxOptions,
  third?: ExportOnnxOptions,
): Uint8Array {
  if (isTraced(model)) {
    const options = (second ?? {}) as ExportOnnxOptions;
    return exportTraced(model, {
      batchName: options.batchName ?? "batch",
      graphName: options.graphName ?? "chainrule",
      opset: OPSET,
    });
  }
  if (!(second instanceof NDArray)) {
    throw new OnnxError("exportOnnx(model, exampleInput): the example input must be an NDArray");
  }
  return exportModule(model, second, third);
}

function exportModule(model: Module, exampleInput: NDArray, options: ExportOnnxOptions = {}): Uint8Array {
  moduleBrand.reject(model, "exportOnnx");
  if (!(model instanceof Module)) throw new OnnxError(`exportOnnx: expected a Module, got ${String(model)}`);
  if (exampleInput.dtype !== "float32" && exampleInput.dtype !== "float64") {
    throw new OnnxError(
      `exportOnnx: the example input must be float32 or float64, got ${exampleInput.dtype}`,
    );
  }
  if (exampleInput.ndim < 1) throw new OnnxError("exportOnnx: the example input needs a batch axis");
  const batchName = options.batchName ?? "batch";
  const layers = flattenLayers(model);
  const shapes = inputShapes(model, layers, exampleInput);
  const b = new GraphBuilder();
  layers.forEach((layer, i) => emitLayer(b, layer, shapes[i]!));
  b.chainruleLayout();
  b.nodes.push({ opType: "Identity", name: OUTPUT_NAME, input: [b.current], output: [OUTPUT_NAME] });
  const graph: Graph = {
    name: options.graphName ?? "chainrule",
    node: b.nodes,
    initializer: b.initializers,
    input: [valueInfo(INPUT_NAME, exampleInput.shape, batchName)],
    output: [valueInfo(OUTPUT_NAME, shapes[shapes.length - 1]!, batchName)],
  };
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: OPSET }],
    producerName: "chainrule",
    producerVersion: "0",
    graph,
  });
  return onnx.ModelProto.encode(proto).finish();
}
