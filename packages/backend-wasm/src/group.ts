// The wasm backend's `compileElementwise`: a fused elementwise group (ndarray's ElementwiseGroup, built by the
// graph's fuser) becomes a small program that assembly/group.ts runs block by block. Only groups it can run
// bit-identically to the graph's generated JS loop are taken: the exactly rounded ops, comparisons, where and
// casts between float32, float64 and bool, over inputs copied whole, as one repeated row, or as one value.
// Every member rounds to its dtype as ElementwiseMember documents: float32 programs compute in f32 lanes (one
// IEEE f32 operation equals JS's f64 operation followed by Math.fround, for these ops), mixed programs in f64
// lanes narrowing each float32 member through f32.
import type {
  BinaryOp,
  DType,
  ElementwiseGroup,
  ElementwiseMember,
  NDArray,
  TypedArray,
  UnaryOp,
} from "@chainrule/ndarray";
import { BINARY_CODES, INSTR_CODES, SLOT_CODES, UNARY_CODES } from "./generated/ops";
import { WASM_BINARY, WASM_UNARY } from "./elementwise-ops";
import { copied, overlaps, range, residentPtr, type Range } from "./wasm/resident";
import { freshArena, type Runtime } from "./wasm/runtime";
import { paddedBytes } from "./wasm/typed";

/**
 * Below this many output elements a group stays on the graph's generated JS loop: copying its inputs into wasm
 * memory and back costs about what the loop saves. `node bench/group.mjs` (float32, CPU time): at 4,096
 * elements wasm was 0.9–1.8× the JS loop, at 8,192 1.1–2.5×, at 25,600 1.5–5×.
 */
export const WASM_GROUP_MIN_SIZE = 8192;

/** Must equal GROUP_BLOCK in assembly/group.ts: elements per member buffer. */
const BLOCK = 512;
const SLOT_WORDS = 4;
const INSTR_WORDS = 7;

/** Binary ops with an exact lane form in a group: the same set as the eager wasm kernels. */
export const GROUP_BINARY = WASM_BINARY;

const COMPARE: ReadonlySet<string> = new Set(["eq", "ne", "lt", "le", "gt", "ge"]);
const isUnary = (op: string): op is UnaryOp => Object.hasOwn(UNARY_CODES, op);
const isBinary = (op: string): op is BinaryOp => Object.hasOwn(BINARY_CODES, op);

type Lanes = "f32" | "f64";

interface Slot {
  kind: number;
  /** full/row: the input it copies; splat: the literal or the input whose one element it reads. */
  ext?: NDArray;
  literal?: number;
  /** row: elements of the repeated row. */
  period?: number;
}

/** How input `e` (the output's shape, any strides) reaches wasm; undefined when no slot kind fits it. */
function extSlot(e: NDArray, literal: number | undefined): Slot | undefined {
  if (literal !== undefined) return { kind: SLOT_CODES.splat, literal };
  const { shape, strides } = e;
  if (shape.every((d, i) => d === 1 || strides[i] === 0)) return { kind: SLOT_CODES.splat, ext: e };
  if (e.isContiguous) return { kind: SLOT_CODES.full, ext: e };
  // One row repeated over the leading axes (a bias): stride 0 there, row-major after.
  let expected = 1;
  let k = shape.length;
  while (k > 0 && (shape[k - 1] === 1 || strides[k - 1] === expected)) expected *= shape[--k]!;
  if (shape.slice(0, k).every((d, i) => d === 1 || strides[i] === 0)) {
    return { kind: SLOT_CODES.row, ext: e, period: expected };
  }
  return undefined;
}

/** Whether every value of the group is exact in f32 lanes: float32 and bool members over such inputs. */
function lanesFor(group: ElementwiseGroup): Lanes {
  const narrow = (d: DType) => d === "float32" || d === "bool" || d === "uint8";
  const literalsFit = group.extLiteral.every(
    (v) => v === undefined || Object.is(Math.fround(v), v) || v !== v,
  );
  return group.members.every((m) => m.dtype !== "float64") &&
    group.ext.every((e) => narrow(e.dtype)) &&
    literalsFit
    ? "f32"
    : "f64";
}

type Instr = [kind: number, op: number, dst: number, a: number, b: number, c: number, round: number];

/** One member as an instruction; undefined when it has no exact wasm form. */
function instruction(
  m: ElementwiseMember,
  dst: number,
  slot: (o: number) => number,
  lanes: Lanes,
): Instr | undefined {
  const [a = 0, b = 0, c = 0] = m.operands.map(slot);
  const float = m.dtype === "float32" || m.dtype === "float64";
  const round = lanes === "f64" && m.dtype === "float32" ? 1 : 0;
  if (isUnary(m.op)) {
    return WASM_UNARY[m.op] && float
      ? [INSTR_CODES.unary, UNARY_CODES[m.op], dst, a, b, c, round]
      : undefined;
  }
  if (isBinary(m.op)) {
    if (!GROUP_BINARY[m.op] || (COMPARE.has(m.op) ? m.dtype !== "bool" : !float)) return undefined;
    return [INSTR_CODES.binary, BINARY_CODES[m.op], dst, a, b, c, round];
  }
  if (m.op === "where") {
    return float || m.dtype === "bool" ? [INSTR_CODES.where, 0, dst, a, b, c, round] : undefined;
  }
  // cast: to bool is `a !== 0 ? 1 : 0`; to a float type, rounding (or nothing); integer casts are declined.
  if (m.castTo === "bool") return [INSTR_CODES.castBool, 0, dst, a, b, c, 0];
  if (m.castTo === "float32" && lanes === "f64") return [INSTR_CODES.roundF32, 0, dst, a, b, c, 0];
  if (m.castTo === "float32" || m.castTo === "float64") return [INSTR_CODES.copy, 0, dst, a, b, c, 0];
  return undefined;
}

interface Program {
  lanes: Lanes;
  slots: Slot[];
  instrs: Instr[];
  /** The slot that holds the output (the last member). */
  outSlot: number;
}

/** The group as a program, or undefined when some member or input has no exact wasm form. */
export function programOf(group: ElementwiseGroup): Program | undefined {
  const { members, ext, extLiteral, out } = group;
  const last = members[members.length - 1];
  if (!last || last.dtype !== out.dtype || !out.isContiguous) return undefined;
  if (!["float32", "float64", "bool"].includes(out.dtype)) return undefined;
  const slots: Slot[] = [];
  for (let j = 0; j < ext.length; j++) {
    const s = extSlot(ext[j]!, extLiteral[j]);
    if (!s) return undefined;
    slots.push(s);
  }
  const lanes = lanesFor(group);
  const k = ext.length;
  for (let i = 0; i < members.length - 1; i++) slots.push({ kind: SLOT_CODES.member });
  const outSlot = slots.length;
  slots.push({ kind: SLOT_CODES.full });
  const slot = (o: number) => (o < 0 ? -o - 1 : o === members.length - 1 ? outSlot : k + o);
  const instrs: Instr[] = [];
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    if (m.dtype !== "float32" && m.dtype !== "float64" && m.dtype !== "bool") return undefined;
    const ins = instruction(m, slot(i), slot, lanes);
    if (!ins) return undefined;
    instrs.push(ins);
  }
  return { lanes, slots, instrs, outSlot };
}

const laneView = (rt: Runtime, lanes: Lanes, ptr: number, n: number): Float32Array | Float64Array =>
  lanes === "f32" ? new Float32Array(rt.memory.buffer, ptr, n) : new Float64Array(rt.memory.buffer, ptr, n);

/** The elements of input slot `s` that wasm reads: the whole array, its row, or its one value. */
function source(s: Slot): TypedArray | undefined {
  const e = s.ext;
  if (!e || s.kind === SLOT_CODES.splat) return undefined;
  const n = s.kind === SLOT_CODES.row ? s.period! : e.size;
  return e.buffer.subarray(e.offset, e.offset + n);
}

/** Whether `a` holds the program's lane type, so wasm can read (or write) it where it is. */
const inLanes = (a: TypedArray, lanes: Lanes) =>
  lanes === "f32" ? a instanceof Float32Array : a instanceof Float64Array;

/** The address of an input already in wasm memory in the lane type (a resident array), else -1. */
function inPlace(rt: Runtime, lanes: Lanes, src: TypedArray): number {
  return inLanes(src, lanes) ? residentPtr(rt, src, 0, src.length) : -1;
}

/** Where the program writes its output in place: a resident array of the lane type, apart from the inputs. */
function outInPlace(rt: Runtime, p: Program, out: NDArray, reads: readonly Range[]): number {
  const buf = out.buffer;
  if (!inLanes(buf, p.lanes)) return -1;
  const ptr = residentPtr(rt, buf, out.offset, out.size);
  const own = range(buf, ptr, out.size);
  return ptr >= 0 && !reads.some((r) => overlaps(r, own)) ? ptr : -1;
}

/** One run: inputs in wasm memory (in place when resident, else copied in), the program, the output out. */
function runProgram(p: Program, out: NDArray): void {
  const n = out.size;
  const es = p.lanes === "f32" ? 4 : 8;
  const arena = freshArena();
  const { rt } = arena;
  const pSlots = arena.alloc(4 * SLOT_WORDS * p.slots.length);
  const pValues = arena.alloc(8 * p.slots.length);
  const pProg = arena.alloc(4 * INSTR_WORDS * p.instrs.length);
  const pCur = arena.alloc(4 * p.slots.length);
  const words: number[] = [];
  const values: number[] = [];
  const copies: [number, TypedArray][] = [];
  const bytes: [number, number, Uint8Array][] = [];
  const reads: Range[] = [];
  let outResident = false;
  p.slots.forEach((s, i) => {
    const src = source(s);
    // Whole inputs and the output span all n elements; rows their period; members and splats one block.
    const length = s.kind === SLOT_CODES.full ? n : s.kind === SLOT_CODES.row ? s.period! : BLOCK;
    const resident = src ? inPlace(rt, p.lanes, src) : i === p.outSlot ? outInPlace(rt, p, out, reads) : -1;
    const ptr = resident >= 0 ? resident : arena.alloc(paddedBytes({ BYTES_PER_ELEMENT: es }, length));
    // Rows are expanded into a block buffer; the output's last partial vector is computed in one.
    const buf = s.kind === SLOT_CODES.row || i === p.outSlot ? arena.alloc(BLOCK * es) : 0;
    if (i === p.outSlot) outResident = resident >= 0;
    if (src && resident >= 0) reads.push(range(src, ptr, src.length));
    // Byte inputs are copied as bytes and widened in wasm (a converting set costs several times more).
    else if (src instanceof Uint8Array) bytes.push([ptr, arena.alloc(src.length), src]);
    else if (src) copies.push([ptr, src]);
    words.push(s.kind, ptr, s.period ?? 0, buf);
    values.push(s.literal ?? (s.ext && s.kind === SLOT_CODES.splat ? s.ext.buffer[s.ext.offset]! : 0));
  });
  const pOut = words[SLOT_WORDS * p.outSlot + 1]!;
  const boolOut = out.buffer instanceof Uint8Array;
  const pBytesOut = boolOut ? arena.alloc(n) : 0;
  const mem = rt.memory.buffer;
  new Int32Array(mem, pSlots, words.length).set(words);
  new Float64Array(mem, pValues, values.length).set(values);
  new Int32Array(mem, pProg, INSTR_WORDS * p.instrs.length).set(p.instrs.flat());
  // Typed-array set converts each input to the lane type exactly (integers are exact in f64; the f32 programs
  // only take float32 and byte inputs).
  for (const [ptr, src] of copies) copyIn(rt, ptr, src, p.lanes);
  const ex = rt.exports;
  const f64 = p.lanes === "f64" ? 1 : 0;
  for (const [ptr, at, src] of bytes) {
    new Uint8Array(mem, at, src.length).set(src);
    copied.bytesIn += src.length;
    ex.widenU8(ptr, at, src.length, f64);
  }
  (f64 ? ex.groupF64 : ex.groupF32)(pSlots, pValues, p.slots.length, pProg, p.instrs.length, n, pCur);
  if (outResident) return;
  const dst = out.buffer.subarray(out.offset, out.offset + n);
  if (boolOut) {
    ex.narrowU8(pBytesOut, pOut, n, f64);
    dst.set(new Uint8Array(mem, pBytesOut, n));
  } else dst.set(laneView(rt, p.lanes, pOut, n));
  copied.bytesOut += n * dst.BYTES_PER_ELEMENT;
}

/** Copies an input into a lane buffer, converting to the lane type (counted as copied bytes). */
function copyIn(rt: Runtime, ptr: number, src: TypedArray, lanes: Lanes): void {
  laneView(rt, lanes, ptr, src.length).set(src);
  copied.bytesIn += src.length * src.BYTES_PER_ELEMENT;
}

/**
 * The backend's `compileElementwise`: a wasm run of the group when it is large enough and every member has an
 * exact wasm form; `undefined` otherwise (the graph then runs its generated JS loop).
 */
export function compileElementwiseGroup(group: ElementwiseGroup): (() => void) | undefined {
  if (group.out.size < WASM_GROUP_MIN_SIZE) return undefined;
  return compileElementwiseAnySize(group);
}

/** The same without the size threshold (tests, benchmarks). */
export function compileElementwiseAnySize(group: ElementwiseGroup): (() => void) | undefined {
  const program = programOf(group);
  if (!program) return undefined;
  const { out } = group;
  return () => runProgram(program, out);
}
