import onnxProto from "onnx-proto";
import { fromTypedArray, transpose, formatShape, type NDArray } from "@chainrule/ndarray";
import { OnnxError } from "./errors";

// onnx-proto is the protobufjs code generated from ONNX's own onnx.proto (CommonJS, one default export).
export const onnx = onnxProto.onnx;
export type Node = onnxProto.onnx.INodeProto;
export type Tensor = onnxProto.onnx.ITensorProto;
export type Attribute = onnxProto.onnx.IAttributeProto;
export type Graph = onnxProto.onnx.IGraphProto;
export type ValueInfo = onnxProto.onnx.IValueInfoProto;

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;
const A = onnx.AttributeProto.AttributeType;

/** A float32 initializer from an array (copied: the file must not change when training goes on). */
export function floatTensor(name: string, x: NDArray, perm?: readonly number[]): Tensor {
  const src = perm ? transpose(x, perm) : x;
  const data = Float32Array.from(src.dataSync() as ArrayLike<number>);
  return {
    name,
    dims: [...src.shape],
    dataType: FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

/** An int64 initializer (shapes for Reshape). */
export function int64Tensor(name: string, values: readonly number[]): Tensor {
  return { name, dims: [values.length], dataType: INT64, int64Data: [...values] };
}

export const attrInts = (name: string, ints: readonly number[]): Attribute => ({
  name,
  type: A.INTS,
  ints: [...ints],
});
export const attrInt = (name: string, i: number): Attribute => ({ name, type: A.INT, i });
export const attrFloat = (name: string, f: number): Attribute => ({ name, type: A.FLOAT, f });

/** A protobuf int64 (a number or a Long) as a JS number, refusing values past 2^53. */
export function toInt(v: unknown, what: string): number {
  let n: number;
  if (typeof v === "number") n = v;
  else if (v !== null && typeof v === "object" && "low" in v && "high" in v) {
    const { low, high } = v as { low: number; high: number };
    n = high * 2 ** 32 + (low >>> 0);
  } else throw new OnnxError(`${what}: expected an integer, got ${String(v)}`);
  if (!Number.isSafeInteger(n)) throw new OnnxError(`${what}: integer ${n} is out of range`);
  return n;
}

const SIZES: Record<number, number> = { [FLOAT]: 4, [INT64]: 8 };

/**
 * An initializer's values as a chainrule array (float32) or a list of integers (int64). The element count
 * implied by `dims` is checked against the bytes actually present before anything is allocated, so a file
 * claiming huge dims with little data is refused rather than trusted.
 */
export function readTensor(t: Tensor, maxElements: number): { shape: number[]; values: NDArray | number[] } {
  const name = t.name ?? "(unnamed)";
  const shape = (t.dims ?? []).map((d, i) => toInt(d, `initializer '${name}' dim ${i}`));
  let count = 1;
  for (const d of shape) {
    if (d < 0) throw new OnnxError(`initializer '${name}': negative dim in ${formatShape(shape)}`);
    count *= d;
  }
  if (count > maxElements) {
    throw new OnnxError(
      `initializer '${name}': shape ${formatShape(shape)} has ${count} elements, more than the limit ${maxElements}`,
    );
  }
  const type = t.dataType ?? 0;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0)
    throw new OnnxError(`initializer '${name}': external data files are not supported`);
  const size = SIZES[type];
  if (size === undefined) {
    const typeName = onnx.TensorProto.DataType[type] ?? `type ${type}`;
    throw new OnnxError(
      `initializer '${name}': data type ${typeName} is not supported (float32 or int64 only)`,
    );
  }
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const listed = type === FLOAT ? (t.floatData?.length ?? 0) : (t.int64Data?.length ?? 0);
  const present = raw ? raw.length / size : listed;
  if (present !== count) {
    throw new OnnxError(
      `initializer '${name}': shape ${formatShape(shape)} needs ${count} values, the file holds ${present}`,
    );
  }
  if (type === INT64) {
    if (raw) {
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const out: number[] = [];
      for (let i = 0; i < count; i++)
        out.push(toInt(Number(view.getBigInt64(i * 8, true)), `initializer '${name}'`));
      return { shape, values: out };
    }
    return { shape, values: t.int64Data!.map((v) => toInt(v, `initializer '${name}'`)) };
  }
  const data = new Float32Array(count);
  if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
  } else data.set(t.floatData!);
  return { shape, values: fromTypedArray(data, shape, "float32") };
}
