import {
  binaryTable,
  unaryTable,
  type ArithOp,
  type CompareOp,
  type DType,
  type ElementwiseGroup,
  type ElementwiseMember,
  type NDArray,
  type UnaryOp,
} from "@chainrule/ndarray";
import { arithBody, castBody, compareBody, runElementwise, unaryBody, whereBody } from "./elementwise";
import { BACKEND_NAME, float64Error } from "./memory";
import type { Runner } from "./runner";

// The graph's fused elementwise groups as one WGSL shader each: every member is a `let` of its WGSL
// type (f32 rounds, i32 wraps, uint8 is masked), so a fused group computes what its kernels would.
// Which op a member is comes from ndarray's op tables; its WGSL is the same expression the kernel uses.

const isUnary = (op: string): op is UnaryOp => Object.hasOwn(unaryTable, op);
const isCompare = (op: string): op is CompareOp =>
  Object.hasOwn(binaryTable, op) && binaryTable[op as CompareOp].compare;

/** The member's WGSL value over placeholders v0…v2 (its operands), of dtypes `operands`. */
function memberBody(m: ElementwiseMember, operands: readonly DType[]): string {
  if (isUnary(m.op)) return unaryBody(m.op, m.dtype);
  if (isCompare(m.op)) return compareBody(m.op);
  if (m.op === "where") return whereBody(operands[0]!);
  if (m.op === "cast") return castBody(operands[0]!, m.castTo ?? m.dtype);
  return arithBody(m.op as ArithOp, m.dtype);
}

/** A constant inlined bit for bit, in the WGSL type of `dtype`. */
function literal(v: number, dtype: DType): string {
  if (dtype === "float32") return `bitcast<f32>(${new Uint32Array(new Float32Array([v]).buffer)[0]}u)`;
  if (dtype === "int32") return `bitcast<i32>(${(v | 0) >>> 0}u)`;
  return `${(dtype === "bool" ? Number(v !== 0) : v & 255) >>> 0}u`;
}

const onThisDevice = (x: NDArray) =>
  x.onDevice && (x.storage as { backend: string }).backend === BACKEND_NAME;

/**
 * `compileElementwise` for this backend: one shader per group, run by one dispatch each time the graph
 * runs. Groups over host buffers are declined (the graph runs its JS loop on them); float64 is an error.
 */
export function compileElementwise(runner: Runner): (group: ElementwiseGroup) => (() => void) | undefined {
  return (group) => {
    const { members, ext, extLiteral, out } = group;
    if (![out, ...ext].every(onThisDevice) || members.length === 0) return undefined;
    const ops = `fused ${members.map((m) => m.op).join("·")}`;
    if ([out, ...ext, ...members].some((x) => x.dtype === "float64")) throw float64Error(ops);
    // Buffers only for externals that are not inlined constants, loaded as v0, v1, … by the shader.
    const bound = ext.map((_, j) => j).filter((j) => extLiteral[j] === undefined);
    // Inputs, the output and the metadata are storage bindings: a group needing more than the device
    // allows is declined (the graph then runs its members one kernel each).
    if (bound.length + 2 > runner.gpu.device.limits.maxStorageBuffersPerShaderStage) return undefined;
    const name = (o: number): string => {
      if (o >= 0) return `t${o}`;
      const j = -o - 1;
      const lit = extLiteral[j];
      return lit === undefined ? `v${bound.indexOf(j)}` : literal(lit, ext[j]!.dtype);
    };
    const dtypeOf = (o: number) => (o >= 0 ? members[o]!.dtype : ext[-o - 1]!.dtype);
    const lets = members.map((m, i) => {
      const names = m.operands.map(name);
      const body = memberBody(m, m.operands.map(dtypeOf)).replace(/\bv([0-2])\b/g, (_, d) => names[+d]!);
      return `let t${i} = ${body};`;
    });
    const inputs = bound.map((j) => ext[j]!);
    const body = `t${members.length - 1}`;
    return () => runElementwise(runner, ops, inputs, out, body, lets.join("\n  "));
  };
}
