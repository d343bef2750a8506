// Fused elementwise groups (ndarray's ElementwiseGroup, translated by src/group.ts): a small program over
// operand slots, run block by block so that every intermediate stays in a cache-resident block buffer.
// Every instruction is lane-exact against the graph's generated JS loop: arithmetic in T (f32 programs only
// hold float32 values, where one f32 operation equals JS's f64 operation rounded by Math.fround) or in f64
// with `round` narrowing a float32 member through f32, exactly as Math.fround does.
import {
  BINARY_ADD,
  BINARY_DIV,
  BINARY_EQ,
  BINARY_GE,
  BINARY_GT,
  BINARY_LE,
  BINARY_LT,
  BINARY_MAXIMUM,
  BINARY_MINIMUM,
  BINARY_MUL,
  BINARY_NE,
  BINARY_SUB,
  INSTR_BINARY,
  INSTR_CAST_BOOL,
  INSTR_COPY,
  INSTR_ROUND_F32,
  INSTR_UNARY,
  INSTR_WHERE,
  SLOT_FULL,
  SLOT_ROW,
  SLOT_SPLAT,
  UNARY_ABS,
  UNARY_CEIL,
  UNARY_FLOOR,
  UNARY_NEG,
  UNARY_RELU,
  UNARY_ROUND,
  UNARY_SIGN,
  UNARY_SQRT,
} from "./generated/ops";

/** Elements per block; src/group.ts sizes member and row buffers to it. */
export const GROUP_BLOCK: i32 = 512;

// Slot descriptor: 4 i32 words (kind, ptr, period, buffer) and one f64 value; instruction: 7 i32 words.
// The buffer is a row's block buffer, or an output's tail buffer (a full slot), else 0.
const SLOT_WORDS: i32 = 4;
const INSTR_WORDS: i32 = 7;

function word(base: usize, i: i32): i32 {
  return load<i32>(base + ((<usize>i) << 2));
}

// One loop per op (no per-vector dispatch); every form has the scalar op's semantics lane for lane.
function runUnary<T>(op: i32, d: usize, x: usize, bytes: usize): void {
  const zero = v128.splat<T>(0 as T);
  const one = v128.splat<T>(1 as T);
  const minusOne = v128.splat<T>(-1 as T);
  let i: usize = 0;
  switch (op) {
    case UNARY_NEG:
      for (; i < bytes; i += 16) {
        const v = v128.load(x + i);
        v128.store(d + i, v128.neg<T>(v));
      }
      return;
    case UNARY_ABS:
      for (; i < bytes; i += 16) {
        const v = v128.load(x + i);
        v128.store(d + i, v128.abs<T>(v));
      }
      return;
    case UNARY_SIGN:
      // Math.sign: ±0 and NaN map to themselves.
      for (; i < bytes; i += 16) {
        const v = v128.load(x + i);
        v128.store(
          d + i,
          v128.bitselect(one, v128.bitselect(minusOne, v, v128.lt<T>(v, zero)), v128.gt<T>(v, zero)),
        );
      }
      return;
    case UNARY_SQRT:
      for (; i < bytes; i += 16) {
        const v = v128.load(x + i);
        v128.store(d + i, v128.sqrt<T>(v));
      }
      return;
    case UNARY_RELU:
      // a <= 0 ? 0 : a: −0 gives +0, NaN stays NaN.
      for (; i < bytes; i += 16) {
        const v = v128.load(x + i);
        v128.store(d + i, v128.bitselect(zero, v, v128.le<T>(v, zero)));
      }
      return;
    case UNARY_FLOOR:
      for (; i < bytes; i += 16) {
        const v = v128.load(x + i);
        v128.store(d + i, v128.floor<T>(v));
      }
      return;
    case UNARY_CEIL:
      for (; i < bytes; i += 16) {
        const v = v128.load(x + i);
        v128.store(d + i, v128.ceil<T>(v));
      }
      return;
    case UNARY_ROUND:
      for (; i < bytes; i += 16) {
        const v = v128.load(x + i);
        v128.store(d + i, v128.nearest<T>(v));
      }
      return;
  }
  unreachable();
}

/** Comparisons give 1 or 0 in T; maximum/minimum are `a > b || a ≠ a ? a : b` (f32x4.max differs at ±0). */
function runBinary<T>(op: i32, d: usize, x: usize, y: usize, bytes: usize): void {
  const one = v128.splat<T>(1 as T);
  let i: usize = 0;
  switch (op) {
    case BINARY_ADD:
      for (; i < bytes; i += 16) {
        const a = v128.load(x + i);
        const b = v128.load(y + i);
        v128.store(d + i, v128.add<T>(a, b));
      }
      return;
    case BINARY_SUB:
      for (; i < bytes; i += 16) {
        const a = v128.load(x + i);
        const b = v128.load(y + i);
        v128.store(d + i, v128.sub<T>(a, b));
      }
      return;
    case BINARY_MUL:
      for (; i < bytes; i += 16) {
        const a = v128.load(x + i);
        const b = v128.load(y + i);
        v128.store(d + i, v128.mul<T>(a, b));
      }
      return;
    case BINARY_DIV:
      for (; i < bytes; i += 16) {
        const a = v128.load(x + i);
        const b = v128.load(y + i);
        v128.store(d + i, v128.div<T>(a, b));
      }
      return;
    case BINARY_MAXIMUM:
      for (; i < bytes; i += 16) {
        const a = v128.load(x + i);
        const b = v128.load(y + i);
        v128.store(d + i, v128.bitselect(a, b, v128.or(v128.gt<T>(a, b), v128.ne<T>(a, a))));
      }
      return;
    case BINARY_MINIMUM:
      for (; i < bytes; i += 16) {
        const a = v128.load(x + i);
        const b = v128.load(y + i);
        v128.store(d + i, v128.bitselect(a, b, v128.or(v128.lt<T>(a, b), v128.ne<T>(a, a))));
      }
      return;
    case BINARY_EQ:
      for (; i < bytes; i += 16) {
        const a = v128.load(x + i);
        const b = v128.load(y + i);
        v128.store(d + i, v128.and(v128.eq<T>(a, b), one));
      }
      return;
    case BINARY_NE:
      for (; i < bytes; i += 16) {
        const a = v128.load(x + i);
        const b = v128.load(y + i);
        v128.store(d + i, v128.and(v128.ne<T>(a, b), one));
      }
      return;
    case BINARY_LT:
      for (; i < bytes; i += 16) {
        const a = v128.load(x + i);
        const b = v128.load(y + i);
        v128.store(d + i, v128.and(v128.lt<T>(a, b), one));
      }
      return;
    case BINARY_LE:
      for (; i < bytes; i += 16) {
        const a = v128.load(x + i);
        const b = v128.load(y + i);
        v128.store(d + i, v128.and(v128.le<T>(a, b), one));
      }
      return;
    case BINARY_GT:
      for (; i < bytes; i += 16) {
        const a = v128.load(x + i);
        const b = v128.load(y + i);
        v128.store(d + i, v128.and(v128.gt<T>(a, b), one));
      }
      return;
    case BINARY_GE:
      for (; i < bytes; i += 16) {
        const a = v128.load(x + i);
        const b = v128.load(y + i);
        v128.store(d + i, v128.and(v128.ge<T>(a, b), one));
      }
      return;
  }
  unreachable();
}

/** JS `c ? a : b`: NaN and ±0 are false. */
function runWhere<T>(d: usize, c: usize, a: usize, b: usize, bytes: usize): void {
  const zero = v128.splat<T>(0 as T);
  for (let i: usize = 0; i < bytes; i += 16) {
    const v = v128.load(c + i);
    const truthy = v128.and(v128.ne<T>(v, zero), v128.eq<T>(v, v));
    v128.store(d + i, v128.bitselect(v128.load(a + i), v128.load(b + i), truthy));
  }
}

/** cast to bool: `a !== 0 ? 1 : 0` (NaN gives 1). */
function runCastBool<T>(d: usize, a: usize, bytes: usize): void {
  const zero = v128.splat<T>(0 as T);
  const one = v128.splat<T>(1 as T);
  for (let i: usize = 0; i < bytes; i += 16)
    v128.store(d + i, v128.and(v128.ne<T>(v128.load(a + i), zero), one));
}

/** Math.fround on f64 lanes: narrow to f32 and back. */
function runRoundF32(d: usize, a: usize, bytes: usize): void {
  for (let i: usize = 0; i < bytes; i += 16) {
    v128.store(d + i, f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v128.load(a + i))));
  }
}

/** Fills a block buffer from a repeated row of `period` elements, starting at element `start` of it. */
function fillRow<T>(buf: usize, row: usize, period: i32, start: i32, count: i32): void {
  let at = start;
  let done = 0;
  while (done < count) {
    const run = min(period - at, count - done);
    memory.copy(buf + <usize>done * sizeof<T>(), row + <usize>at * sizeof<T>(), <usize>run * sizeof<T>());
    done += run;
    at = 0;
  }
}

function resolveSlots<T>(slots: usize, cur: usize, nSlots: i32, i0: i32, count: i32): void {
  const partial = count % (16 / (sizeof<T>() as i32)) != 0;
  for (let s = 0; s < nSlots; s++) {
    const w = s * SLOT_WORDS;
    const kind = word(slots, w);
    const ptr = <usize>word(slots, w + 1);
    let p = ptr;
    if (kind == SLOT_FULL) {
      // A full slot with a tail buffer is an output: a block ending in a partial vector is computed there and
      // copied out exactly (flushTails), so no store lands past the output's last element.
      const tail = <usize>word(slots, w + 3);
      p = partial && tail != 0 ? tail : ptr + <usize>i0 * sizeof<T>();
    } else if (kind == SLOT_ROW) {
      const period = word(slots, w + 2);
      p = <usize>word(slots, w + 3);
      fillRow<T>(p, ptr, period, i0 % period, count);
    }
    store<u32>(cur + ((<usize>s) << 2), <u32>p);
  }
}

/** Copies the `count` elements computed in each output's tail buffer to their place (see resolveSlots). */
function flushTails<T>(slots: usize, nSlots: i32, i0: i32, count: i32): void {
  for (let s = 0; s < nSlots; s++) {
    const w = s * SLOT_WORDS;
    const tail = <usize>word(slots, w + 3);
    if (word(slots, w) != SLOT_FULL || tail == 0) continue;
    const ptr = <usize>word(slots, w + 1);
    memory.copy(ptr + <usize>i0 * sizeof<T>(), tail, <usize>count * sizeof<T>());
  }
}

function fillSplats<T>(slots: usize, values: usize, nSlots: i32): void {
  for (let s = 0; s < nSlots; s++) {
    if (word(slots, s * SLOT_WORDS) != SLOT_SPLAT) continue;
    const buf = <usize>word(slots, s * SLOT_WORDS + 1);
    const v = v128.splat<T>(<T>load<f64>(values + ((<usize>s) << 3)));
    for (let i = 0; i < GROUP_BLOCK; i += 16 / (sizeof<T>() as i32))
      v128.store(buf + <usize>i * sizeof<T>(), v);
  }
}

function runProgram<T>(
  slots: usize,
  values: usize,
  nSlots: i32,
  prog: usize,
  nInstr: i32,
  n: i32,
  cur: usize,
): void {
  fillSplats<T>(slots, values, nSlots);
  const lanes = 16 / (sizeof<T>() as i32);
  for (let i0 = 0; i0 < n; i0 += GROUP_BLOCK) {
    const count = min(GROUP_BLOCK, n - i0);
    // Whole vectors: buffers are padded, and lanes past `count` never reach an output (flushTails).
    const bytes = <usize>((count + lanes - 1) & ~(lanes - 1)) * sizeof<T>();
    resolveSlots<T>(slots, cur, nSlots, i0, count);
    for (let k = 0; k < nInstr; k++) {
      const w = k * INSTR_WORDS;
      const kind = word(prog, w);
      const op = word(prog, w + 1);
      const d = <usize>load<u32>(cur + ((<usize>word(prog, w + 2)) << 2));
      const a = <usize>load<u32>(cur + ((<usize>word(prog, w + 3)) << 2));
      const b = <usize>load<u32>(cur + ((<usize>word(prog, w + 4)) << 2));
      const c = <usize>load<u32>(cur + ((<usize>word(prog, w + 5)) << 2));
      if (kind == INSTR_UNARY) runUnary<T>(op, d, a, bytes);
      else if (kind == INSTR_BINARY) runBinary<T>(op, d, a, b, bytes);
      else if (kind == INSTR_WHERE) runWhere<T>(d, a, b, c, bytes);
      else if (kind == INSTR_CAST_BOOL) runCastBool<T>(d, a, bytes);
      else if (kind == INSTR_ROUND_F32) runRoundF32(d, a, bytes);
      else if (kind == INSTR_COPY) memory.copy(d, a, bytes);
      if (word(prog, w + 6) != 0) runRoundF32(d, d, bytes);
    }
    if (count % lanes != 0) flushTails<T>(slots, nSlots, i0, count);
  }
}

/** Runs a program whose every value is a float32: f32x4 lanes. */
export function groupF32(
  slots: usize,
  values: usize,
  nSlots: i32,
  prog: usize,
  nInstr: i32,
  n: i32,
  cur: usize,
): void {
  runProgram<f32>(slots, values, nSlots, prog, nInstr, n, cur);
}

/** Runs a program in f64x2 lanes, narrowing float32 members through f32 (the `round` word). */
export function groupF64(
  slots: usize,
  values: usize,
  nSlots: i32,
  prog: usize,
  nInstr: i32,
  n: i32,
  cur: usize,
): void {
  runProgram<f64>(slots, values, nSlots, prog, nInstr, n, cur);
}

/**
 * dst[i] = src[i] for n bytes (bool and uint8 inputs) widened to f32 or f64 lanes, exactly: copying bytes in and
 * widening here is several times cheaper than a converting TypedArray.set.
 */
export function widenU8(dst: usize, src: usize, n: i32, toF64: bool): void {
  let i = 0;
  if (!toF64) {
    for (; i + 4 <= n; i += 4) {
      const b = v128.load32_zero(src + <usize>i);
      const w = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(b));
      v128.store(dst + ((<usize>i) << 2), f32x4.convert_i32x4_u(w));
    }
    for (; i < n; i++) store<f32>(dst + ((<usize>i) << 2), <f32>load<u8>(src + <usize>i));
    return;
  }
  for (; i < n; i++) store<f64>(dst + ((<usize>i) << 3), <f64>load<u8>(src + <usize>i));
}

/** dst[i] = src[i] as bytes, for a bool output (its values are 0 or 1). */
export function narrowU8(dst: usize, src: usize, n: i32, fromF64: bool): void {
  let i = 0;
  if (!fromF64) {
    for (; i + 4 <= n; i += 4) {
      const w = i32x4.trunc_sat_f32x4_u(v128.load(src + ((<usize>i) << 2)));
      const h = i16x8.narrow_i32x4_u(w, w);
      v128.store32_lane(dst + <usize>i, i8x16.narrow_i16x8_u(h, h), 0);
    }
    for (; i < n; i++) store<u8>(dst + <usize>i, <u8>load<f32>(src + ((<usize>i) << 2)));
    return;
  }
  for (; i < n; i++) store<u8>(dst + <usize>i, <u8>load<f64>(src + ((<usize>i) << 3)));
}
