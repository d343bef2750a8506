// Elementwise kernels on contiguous Float32Array/Float64Array data. Outputs may alias
// inputs: an output overlapping an input is computed in the arena and copied back.
import { type FloatArray, allocLike, sameDtype } from "./dtype";
import { BINARY_CODES, UNARY_CODES } from "./generated/ops";
import { type BinaryOp, type UnaryOp, opcode } from "./opcodes";
import { freshArena } from "./wasm/runtime";
import { placeInput, placeOutput, range } from "./wasm/resident";

function checkLength(name: string, x: FloatArray, length: number): void {
  if (x.length !== length) throw new RangeError(`${name} must have length ${length}, got ${x.length}`);
}

/** out[i] = op(x[i]) for any op of ndarray's unaryTable, with its reference kernel's semantics. */
export function unary<T extends FloatArray>(op: UnaryOp, x: T, out?: T): T {
  const code = opcode(UNARY_CODES, op, "unary op");
  const y = out ?? allocLike(x, x.length);
  const dtype = sameDtype({ x, out: y });
  checkLength("out", y, x.length);
  const arena = freshArena();
  const px = placeInput(arena, x);
  const py = placeOutput(arena, y, 0, y.length, { reads: [range(x, px, x.length)] });
  const ex = arena.rt.exports;
  (dtype === "float32" ? ex.unaryF32 : ex.unaryF64)(code, px, py.ptr, x.length);
  py.finish();
  return y;
}

/**
 * out[i] = a[i] op b[i] for same-length arrays and any op of ndarray's binaryTable (comparisons give 1 or 0
 * in the input's float type). maximum/minimum propagate NaN like the reference kernels.
 */
export function binary<T extends FloatArray>(op: BinaryOp, a: T, b: T, out?: T): T {
  const code = opcode(BINARY_CODES, op, "binary op");
  const y = out ?? allocLike(a, a.length);
  const dtype = sameDtype({ a, b, out: y });
  checkLength("b", b, a.length);
  checkLength("out", y, a.length);
  const arena = freshArena();
  const pa = placeInput(arena, a);
  const pb = placeInput(arena, b);
  const reads = [range(a, pa, a.length), range(b, pb, b.length)];
  const py = placeOutput(arena, y, 0, y.length, { reads });
  const ex = arena.rt.exports;
  (dtype === "float32" ? ex.binaryF32 : ex.binaryF64)(code, pa, pb, py.ptr, a.length);
  py.finish();
  return y;
}

/**
 * Row broadcast: out[r, c] = a[r, c] op b[c], with a viewed as [a.length / b.length, b.length].
 */
export function binaryRowBroadcast<T extends FloatArray>(op: BinaryOp, a: T, b: T, out?: T): T {
  const code = opcode(BINARY_CODES, op, "binary op");
  const y = out ?? allocLike(a, a.length);
  const dtype = sameDtype({ a, b, out: y });
  const cols = b.length;
  if (cols === 0 ? a.length !== 0 : a.length % cols !== 0) {
    throw new RangeError(`a (length ${a.length}) is not a whole number of rows of b (length ${cols})`);
  }
  checkLength("out", y, a.length);
  const rows = cols === 0 ? 0 : a.length / cols;
  const arena = freshArena();
  const pa = placeInput(arena, a);
  const pb = placeInput(arena, b);
  const reads = [range(a, pa, a.length), range(b, pb, cols)];
  const py = placeOutput(arena, y, 0, y.length, { reads });
  const ex = arena.rt.exports;
  (dtype === "float32" ? ex.binaryRowsF32 : ex.binaryRowsF64)(code, pa, pb, py.ptr, rows, cols);
  py.finish();
  return y;
}

/** out[i] = a[i] op s, or s op a[i] when `scalarFirst`: one operand broadcast everywhere. */
export function binaryScalar<T extends FloatArray>(
  op: BinaryOp,
  a: T,
  s: number,
  scalarFirst: boolean,
  out?: T,
): T {
  const code = opcode(BINARY_CODES, op, "binary op");
  const y = out ?? allocLike(a, a.length);
  const dtype = sameDtype({ a, out: y });
  checkLength("out", y, a.length);
  const arena = freshArena();
  const pa = placeInput(arena, a);
  const py = placeOutput(arena, y, 0, y.length, { reads: [range(a, pa, a.length)] });
  const ex = arena.rt.exports;
  (dtype === "float32" ? ex.binaryScalarF32 : ex.binaryScalarF64)(
    code,
    pa,
    s,
    py.ptr,
    a.length,
    scalarFirst ? 1 : 0,
  );
  py.finish();
  return y;
}
