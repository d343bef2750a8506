import type { DType, NDArray } from "@chainrule/ndarray";
import { floatTensor, onnx, type Tensor, type ValueInfo } from "./proto";

const T = onnx.TensorProto.DataType;

/** ONNX's element type for a chainrule dtype (floats are written as float32). */
export function elemType(dtype: DType): number {
  switch (dtype) {
    case "float32":
    case "float64":
      return T.FLOAT;
    case "int32":
      return T.INT32;
    case "uint8":
      return T.UINT8;
    case "bool":
      return T.BOOL;
  }
}

/** An initializer holding an array's current values (copied), in its ONNX element type. */
export function valueTensor(name: string, x: NDArray): Tensor {
  if (x.dtype === "float32" || x.dtype === "float64") return floatTensor(name, x);
  const values = x.dataSync();
  const dims = [...x.shape];
  if (x.dtype === "int32") return { name, dims, dataType: T.INT32, int32Data: Array.from(values) };
  // uint8 and bool: one byte per element.
  return { name, dims, dataType: elemType(x.dtype), rawData: Uint8Array.from(values, (v) => (v ? v : 0)) };
}

/** A graph input or output: fixed sizes, `batchName` where the axis is the batch, unknown where it is k × batch. */
export function tensorInfo(
  name: string,
  dtype: DType,
  shape: readonly number[],
  factors: readonly number[],
  batchName: string,
): ValueInfo {
  const dim = shape.map((d, i) => {
    const c = factors[i]!;
    if (c === 0) return { dimValue: d };
    return c === 1 ? { dimParam: batchName } : {};
  });
  return { name, type: { tensorType: { elemType: elemType(dtype), shape: { dim } } } };
}
