import type { DType, NDArray } from "@chainrule/ndarray";
import type { TapeNode } from "./backward";

// The short dtype names of @chainrule/graph's listing, so a tape and a traced graph read alike.
const SHORT: Record<DType, string> = {
  float32: "f32",
  float64: "f64",
  int32: "i32",
  uint8: "u8",
  bool: "bool",
};

const typeString = (x: NDArray) => `${SHORT[x.dtype] ?? x.dtype}[${x.shape.join(",")}]`;

/** One line per recorded primitive: `%2:f64[3] = mul(%0:f64[3], %1:f64[])`. */
export function listTape(nodes: readonly TapeNode[], persistent: boolean): string {
  const ids = new Map<NDArray, string>();
  const id = (x: NDArray) => ids.get(x) ?? (ids.set(x, `%${ids.size}`), ids.get(x)!);
  const lines = nodes.map((n) => {
    const ins = n.inputs.map((x) => `${id(x)}:${typeString(x)}`).join(", ");
    return `  ${id(n.output)}:${typeString(n.output)} = ${n.prim.name}(${ins})`;
  });
  return `GradientTape(${nodes.length} ops${persistent ? ", persistent" : ""})\n${lines.join("\n")}`;
}
