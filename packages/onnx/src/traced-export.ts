import { cast, fromTypedArray, type DType } from "@chainrule/ndarray";
import { OnnxError } from "./errors";
import {
  attrInt,
  attrInts,
  floatTensor,
  int64Tensor,
  onnx,
  type Attribute,
  type Node,
  type Tensor,
} from "./proto";
import { elemType, tensorInfo, valueTensor } from "./proto-values";
import {
  batchFactors,
  describeNode,
  probeGraphs,
  type BatchFactors,
  type GraphLike,
  type GraphNodeLike,
  type TracedLike,
} from "./traced-graph";
import { simplify } from "./simplify";
import { findConvs, type ConvMatch } from "./traced-conv";
import {
  opTable,
  TO_NCHW,
  TO_NHWC,
  windowAttrs,
  type OpContext,
  type OpMapping,
  type Window,
} from "./traced-ops";

export interface TracedExportOptions {
  batchName: string;
  graphName: string;
  opset: number;
}

/** The nodes the outputs depend on, by id. */
function liveNodes(g: GraphLike, roots: readonly number[]): Set<number> {
  const live = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    stack.push(...g.nodes[id]!.inputs);
  }
  return live;
}

/** The function's outputs as [ONNX name, node id]; train ops cannot be exported. */
function outputsOf(g: GraphLike): [string, number][] {
  const leaves = g.outputLeaves().filter(([, l]) => l.kind !== "none");
  const out = leaves.map(([path, l]): [string, number] => {
    if (l.kind === "update") {
      throw new OnnxError(
        `exportOnnx: output '${path || "(the result)"}' is a train op; export a function that only predicts ` +
          "(trace (x) => model.call(x) in evaluation mode)",
      );
    }
    return [path || "output", l.id];
  });
  if (out.length === 0) throw new OnnxError("exportOnnx: the traced function returns no array");
  if (out.length === 1 && leaves[0]![0] === "") out[0]![0] = "output";
  return out;
}

/** One-hot kernels for im2col, one per window shape. */
function im2colKernel(w: Window): Float32Array {
  const { kh, kw, channels: cin } = w;
  const k = new Float32Array(kh * kw * cin * cin * kh * kw);
  for (let ky = 0; ky < kh; ky++)
    for (let kx = 0; kx < kw; kx++)
      for (let c = 0; c < cin; c++) {
        const o = (ky * kw + kx) * cin + c;
        k[((o * cin + c) * kh + ky) * kw + kx] = 1;
      }
  return k;
}

class TracedBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  private readonly names: string[] = [];
  private readonly casts = new Map<string, string>();
  private readonly kernels = new Map<string, string>();
  private count = 0;
  private readonly table: Record<string, OpMapping>;

  constructor(
    private readonly g: GraphLike,
    private readonly factors: BatchFactors,
  ) {
    this.table = opTable((w) => this.im2colWeight(w));
  }

  private fresh(prefix: string): string {
    return `_${prefix}_${this.count++}`;
  }

  /** Node `id`'s ONNX name; Variables and constants become initializers when first used. */
  nameOf(id: number): string {
    const n = this.g.nodes[id]!;
    if (this.names[id] === undefined && (n.kind === "variable" || n.kind === "constant")) {
      const name = this.fresh(n.kind === "variable" ? (n.name ?? "variable") : "const");
      this.initializers.push(valueTensor(name, n.value!));
      this.names[id] = name;
    }
    const name = this.names[id];
    if (name === undefined) throw new OnnxError(`exportOnnx: node %${id} is used before it is defined`);
    return name;
  }

  int64(values: readonly number[]): string {
    const name = this.fresh("shape");
    this.initializers.push(int64Tensor(name, values));
    return name;
  }

  scalar(value: number, dtype: DType): string {
    const name = this.fresh("scalar");
    const x = fromTypedArray(Float64Array.of(value), [], "float64");
    this.initializers.push(valueTensor(name, dtype === "float64" ? x : cast(x, dtype)));
    return name;
  }

  private im2colWeight(w: Window): string {
    const key = `${w.kh}x${w.kw}x${w.channels}`;
    let name = this.kernels.get(key);
    if (name === undefined) {
      name = this.fresh(`im2col_kernel_${key}`);
      const shape = [w.kh * w.kw * w.channels, w.channels, w.kh, w.kw];
      this.initializers.push(floatTensor(name, fromTypedArray(im2colKernel(w), shape, "float32")));
      this.kernels.set(key, name);
    }
    return name;
  }

  /** Node `id`'s value as ONNX type `dtype` (a Cast, made once, when the types differ). */
  private cast(id: number, dtype: DType | undefined): string {
    const name = this.nameOf(id);
    const from = elemType(this.g.nodes[id]!.dtype);
    if (dtype === undefined || elemType(dtype) === from) return name;
    const key = `${name}:${elemType(dtype)}`;
    let cast = this.casts.get(key);
    if (cast === undefined) {
      cast = this.fresh(`cast_${id}`);
      this.nodes.push({
        opType: "Cast",
        name: cast,
        input: [name],
        output: [cast],
        attribute: [attrInt("to", elemType(dtype))],
      });
      this.casts.set(key, cast);
    }
    return cast;
  }

  add(n: GraphNodeLike): void {
    if (n.kind === "placeholder") return void (this.names[n.id] = n.name ?? `input${n.id}`);
    if (n.kind === "variable" || n.kind === "constant") return; // written when used (nameOf)
    const map = this.table[n.op];
    if (!map) {
      throw new OnnxError(
        `exportOnnx: ${describeNode(n)}: the primitive '${n.op}' has no ONNX mapping ` +
          `(mapped: ${Object.keys(this.table).sort().join(", ")})`,
      );
    }
    const out = this.fresh(n.op);
    this.names[n.id] = out;
    map(this.context(n, out));
  }

  /** A traced convolution as one Conv: NHWC → NCHW, the kernel as [cout, cin, kh, kw], back to NHWC. */
  addConv(n: GraphNodeLike, m: ConvMatch): void {
    const out = this.fresh("conv");
    this.names[n.id] = out;
    const c = this.context(n, out);
    const k = this.g.nodes[m.kernel]!;
    let weight: string;
    if (k.value !== undefined && (k.kind === "variable" || k.kind === "constant")) {
      weight = this.fresh(`${k.name ?? "const"}_oihw`);
      this.initializers.push(floatTensor(weight, k.value, [3, 2, 0, 1]));
    } else {
      weight = c.emit(
        "Transpose",
        [this.cast(m.kernel, "float32")],
        [attrInts("perm", [3, 2, 0, 1])],
        "kernel",
      );
    }
    const x = c.emit("Transpose", [this.cast(m.input, "float32")], [attrInts("perm", TO_NCHW)], "conv_in");
    const inputs = [x, weight];
    if (m.bias !== undefined) inputs.push(this.cast(m.bias, "float32"));
    const y = c.emit("Conv", inputs, windowAttrs(m.window), "conv_nchw");
    const act = m.relu ? c.emit("Relu", [y], [], "conv_relu") : y;
    c.emit("Transpose", [act], [attrInts("perm", TO_NHWC)]);
  }

  private context(n: GraphNodeLike, out: string): OpContext {
    const emit = (opType: string, input: string[], attribute: Attribute[] = [], output?: string) => {
      const o = output === undefined ? out : this.fresh(output);
      this.nodes.push({ opType, name: o, input, output: [o], attribute });
      return o;
    };
    return {
      node: n,
      args: n.inputs.map((i) => this.g.nodes[i]!),
      factors: this.factors[n.id]!,
      argFactors: n.inputs.map((i) => this.factors[i]!),
      inputs: (dtype) => n.inputs.map((i) => this.cast(i, dtype)),
      input: (index, dtype) => this.cast(n.inputs[index]!, dtype),
      emit,
      int64: (v) => this.int64(v),
      scalar: (v, d) => this.scalar(v, d),
    };
  }
}

/**
 * A traced function as an ONNX file: traced at batch sizes 2 and 3 to find the batch axes, then each
 * primitive the outputs need becomes ONNX nodes, Variables and constants become initializers (their
 * current values), placeholders the inputs.
 */
export function exportTraced(traced: TracedLike, options: TracedExportOptions): Uint8Array {
  const [g, other] = probeGraphs(traced);
  const outputs = outputsOf(g);
  const inputNames = new Set(g.placeholders.map((id) => g.nodes[id]!.name));
  for (const [name] of outputs)
    if (inputNames.has(name)) throw new OnnxError(`exportOnnx: output '${name}' has an input's name`);
  const live = liveNodes(g, [...outputs.map(([, id]) => id), ...g.placeholders]);
  const factors = batchFactors(g, other, live);
  const { convs, absorbed } = findConvs(
    g,
    live,
    outputs.map(([, id]) => id),
  );
  const b = new TracedBuilder(g, factors);
  for (const n of g.nodes) {
    if (!live.has(n.id) || absorbed.has(n.id)) continue;
    const conv = convs.get(n.id);
    if (conv) b.addConv(n, conv);
    else b.add(n);
  }
  for (const [name, id] of outputs) {
    b.nodes.push({ opType: "Identity", name, input: [b.nameOf(id)], output: [name] });
  }
  const info = (name: string, id: number) => {
    const n = g.nodes[id]!;
    return tensorInfo(name, n.dtype, n.shape, factors[id]!, options.batchName);
  };
  const nodes = simplify(
    b.nodes,
    outputs.map(([name]) => name),
  );
  const read = new Set(nodes.flatMap((n) => n.input ?? []));
  const graph = {
    name: options.graphName,
    node: nodes,
    initializer: b.initializers.filter((t) => read.has(t.name!)),
    input: g.placeholders.map((id) => info(b.nameOf(id), id)),
    output: outputs.map(([name, id]) => info(name, id)),
  };
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: options.opset }],
    producerName: "chainrule",
    producerVersion: "0",
    graph,
  });
  return onnx.ModelProto.encode(proto).finish();
}
