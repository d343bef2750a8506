// Elementwise kernels on contiguous Float32Array/Float64Array data. Outputs may alias
// inputs: everything is copied into wasm memory before the kernel runs.
import { type FloatArray, allocLike, sameDtype } from "./dtype";
import { BINARY_CODES, UNARY_CODES } from "./generated/ops";
import { type BinaryOp, type UnaryOp, opcode } from "./opcodes";
import { freshArena } from "./wasm/runtime";
import { copyIn, copyOut } from "./wasm/views";

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
  const bytes = x.BYTES_PER_ELEMENT * x.length;
  const px = arena.alloc(bytes);
  const py = arena.alloc(bytes);
  copyIn(arena.rt, px, x);
  const ex = arena.rt.exports;
  (dtype === "float32" ? ex.unaryF32 : ex.unaryF64)(code, px, py, x.length);
  copyOut(arena.rt, py, y);
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
  const bytes = a.BYTES_PER_ELEMENT * a.length;
  const pa = arena.alloc(bytes);
  const pb = arena.alloc(bytes);
  const py = arena.alloc(bytes);
  copyIn(arena.rt, pa, a);
  copyIn(arena.rt, pb, b);
  const ex = arena.rt.exports;
  (dtype === "float32" ? ex.binaryF32 : ex.binaryF64)(code, pa, pb, py, a.length);
  copyOut(arena.rt, py, y);
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
  const pa = arena.alloc(a.BYTES_PER_ELEMENT * a.length);
  const pb = arena.alloc(b.BYTES_PER_ELEMENT * cols);
  const py = arena.alloc(a.BYTES_PER_ELEMENT * a.length);
  copyIn(arena.rt, pa, a);
  copyIn(arena.rt, pb, b);
  const ex = arena.rt.exports;
  (dtype === "float32" ? ex.binaryRowsF32 : ex.binaryRowsF64)(code, pa, pb, py, rows, cols);
  copyOut(arena.rt, py, y);
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
  const bytes = a.BYTES_PER_ELEMENT * a.length;
  const pa = arena.alloc(bytes);
  const py = arena.alloc(bytes);
  copyIn(arena.rt, pa, a);
  const ex = arena.rt.exports;
  (dtype === "float32" ? ex.binaryScalarF32 : ex.binaryScalarF64)(
    code,
    pa,
    s,
    py,
    a.length,
    scalarFirst ? 1 : 0,
  );
  copyOut(arena.rt, py, y);
  return y;
}
