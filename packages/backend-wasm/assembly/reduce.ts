// ndarray's reductions (sum, prod, max, min, argmax, argmin) with its reference kernels' arithmetic
// (@chainrule/ndarray src/ops/reduce.ts): each output folds its inputs one after another, in row-major order
// of the reduced axes, in an f64 accumulator, whatever the element type. So the results are bit-identical
// to the reference; the speed comes from folding several outputs at once, never from reordering one fold.
// Results are written as f64 (argmax/argmin: the index); JS stores them into the output's dtype.
import {
  ELEMENT_FLOAT32,
  ELEMENT_FLOAT64,
  ELEMENT_INT32,
  REDUCE_ARGMAX,
  REDUCE_ARGMIN,
  REDUCE_MAX,
  REDUCE_MIN,
  REDUCE_PROD,
  REDUCE_SUM,
} from "./generated/ops";

// Element offsets may be negative (reversed views): i32 arithmetic, wrapped into the 32-bit address space.
function get<T>(base: usize, index: i32): f64 {
  return <f64>load<T>(base + <usize>(index * (sizeof<T>() as i32)));
}

function yAt(y: usize, i: i32): usize {
  return y + ((<usize>i) << 3);
}

/** The reference's max/min step: NaN sticks once seen, ties keep the earlier value. */
function extremum(isMax: bool, m: f64, v: f64): f64 {
  return (isMax ? v > m : v < m) || v != v ? (m != m ? m : v) : m;
}

// ---- lines: output i folds x[i·ls + j·step] for j < len; four outputs at once for independent chains ----

function sumLines<T>(
  prod: bool,
  x: usize,
  y: usize,
  lines: i32,
  ls: i32,
  len: i32,
  step: i32,
  first: bool,
): void {
  const init: f64 = prod ? 1 : 0;
  let i = 0;
  for (; i + 4 <= lines; i += 4) {
    const p0 = i * ls;
    const p1 = p0 + ls;
    const p2 = p1 + ls;
    const p3 = p2 + ls;
    let j = 0;
    let a0 = init;
    let a1 = init;
    let a2 = init;
    let a3 = init;
    if (first) {
      a0 = get<T>(x, p0);
      a1 = get<T>(x, p1);
      a2 = get<T>(x, p2);
      a3 = get<T>(x, p3);
      j = 1;
    }
    for (let o = j * step; j < len; j++, o += step) {
      if (prod) {
        a0 *= get<T>(x, p0 + o);
        a1 *= get<T>(x, p1 + o);
        a2 *= get<T>(x, p2 + o);
        a3 *= get<T>(x, p3 + o);
      } else {
        a0 += get<T>(x, p0 + o);
        a1 += get<T>(x, p1 + o);
        a2 += get<T>(x, p2 + o);
        a3 += get<T>(x, p3 + o);
      }
    }
    store<f64>(yAt(y, i), a0);
    store<f64>(yAt(y, i + 1), a1);
    store<f64>(yAt(y, i + 2), a2);
    store<f64>(yAt(y, i + 3), a3);
  }
  for (; i < lines; i++) {
    const p = i * ls;
    let j = 0;
    let a = init;
    if (first) {
      a = get<T>(x, p);
      j = 1;
    }
    for (let o = j * step; j < len; j++, o += step) a = prod ? a * get<T>(x, p + o) : a + get<T>(x, p + o);
    store<f64>(yAt(y, i), a);
  }
}

function extremumLines<T>(isMax: bool, x: usize, y: usize, lines: i32, ls: i32, len: i32, step: i32): void {
  let i = 0;
  for (; i + 4 <= lines; i += 4) {
    const p0 = i * ls;
    const p1 = p0 + ls;
    const p2 = p1 + ls;
    const p3 = p2 + ls;
    let m0 = get<T>(x, p0);
    let m1 = get<T>(x, p1);
    let m2 = get<T>(x, p2);
    let m3 = get<T>(x, p3);
    for (let j = 1, o = step; j < len; j++, o += step) {
      m0 = extremum(isMax, m0, get<T>(x, p0 + o));
      m1 = extremum(isMax, m1, get<T>(x, p1 + o));
      m2 = extremum(isMax, m2, get<T>(x, p2 + o));
      m3 = extremum(isMax, m3, get<T>(x, p3 + o));
    }
    store<f64>(yAt(y, i), m0);
    store<f64>(yAt(y, i + 1), m1);
    store<f64>(yAt(y, i + 2), m2);
    store<f64>(yAt(y, i + 3), m3);
  }
  for (; i < lines; i++) {
    const p = i * ls;
    let m = get<T>(x, p);
    for (let j = 1, o = step; j < len; j++, o += step) m = extremum(isMax, m, get<T>(x, p + o));
    store<f64>(yAt(y, i), m);
  }
}

/** The reference's argmax/argmin: the first index of the best value, or of the first NaN. */
function argLines<T>(isMax: bool, x: usize, y: usize, lines: i32, ls: i32, len: i32, step: i32): void {
  for (let i = 0; i < lines; i++) {
    const p = i * ls;
    let best = get<T>(x, p);
    let at = 0;
    for (let j = 1, o = step; j < len && best == best; j++, o += step) {
      const v = get<T>(x, p + o);
      if ((isMax ? v > best : v < best) || v != v) {
        best = v;
        at = j;
      }
    }
    store<f64>(yAt(y, i), <f64>at);
  }
}

function lines<T>(op: i32, x: usize, y: usize, n: i32, ls: i32, len: i32, step: i32, first: bool): void {
  if (op == REDUCE_SUM || op == REDUCE_PROD) sumLines<T>(op == REDUCE_PROD, x, y, n, ls, len, step, first);
  else if (op == REDUCE_MAX || op == REDUCE_MIN) extremumLines<T>(op == REDUCE_MAX, x, y, n, ls, len, step);
  else argLines<T>(op == REDUCE_ARGMAX, x, y, n, ls, len, step);
}

/**
 * Folds `lines` outputs: y[i] = fold over j < len of x[i·ls + j·step]. `first`: a sum or product starts from
 * the first element (the reference's leading-axes loop) instead of from 0 or 1 (its row loop); the two differ
 * only for a sum of −0s.
 */
export function reduceLines(
  op: i32,
  element: i32,
  x: usize,
  y: usize,
  n: i32,
  ls: i32,
  len: i32,
  step: i32,
  first: bool,
): void {
  if (element == ELEMENT_FLOAT32) lines<f32>(op, x, y, n, ls, len, step, first);
  else if (element == ELEMENT_FLOAT64) lines<f64>(op, x, y, n, ls, len, step, first);
  else if (element == ELEMENT_INT32) lines<i32>(op, x, y, n, ls, len, step, first);
  else lines<u8>(op, x, y, n, ls, len, step, first);
}

// ---- columns: output c folds x[r·os + c] over r < outer; two outputs per f64x2 lane pair ----

/** Two consecutive elements as f64x2, converted exactly. */
function load2<T>(p: usize): v128 {
  if (isFloat<T>()) {
    if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p));
    return v128.load(p);
  }
  if (sizeof<T>() == 4) return f64x2.convert_low_i32x4_s(v128.load64_zero(p));
  return f64x2.replace_lane(f64x2.splat(<f64>load<u8>(p)), 1, <f64>load<u8>(p + 1));
}

function xAt<T>(x: usize, index: i32): usize {
  return x + <usize>(index * (sizeof<T>() as i32));
}

function columns<T>(
  op: i32,
  x: usize,
  y: usize,
  cols: i32,
  outer: i32,
  os: i32,
  first: bool,
  best: usize,
): void {
  const cv = cols & ~1;
  const arg = op == REDUCE_ARGMAX || op == REDUCE_ARGMIN;
  const isMax = op == REDUCE_MAX || op == REDUCE_ARGMAX;
  const sumLike = op == REDUCE_SUM || op == REDUCE_PROD;
  // The running values: y itself, except for argmax/argmin, whose y holds the indices.
  const acc = arg ? best : y;
  let r = 0;
  if (first || !sumLike) {
    for (let c = 0; c < cols; c++) store<f64>(yAt(acc, c), get<T>(x, c));
    r = 1;
  } else {
    memory.fill(acc, 0, (<usize>cols) << 3);
    if (op == REDUCE_PROD) for (let c = 0; c < cols; c++) store<f64>(yAt(acc, c), 1);
  }
  if (arg) memory.fill(y, 0, (<usize>cols) << 3);
  for (; r < outer; r++) {
    const xr = r * os;
    const rv = f64x2.splat(<f64>r);
    let c = 0;
    for (; c < cv; c += 2) {
      const v = load2<T>(xAt<T>(x, xr + c));
      const a = v128.load(yAt(acc, c));
      if (op == REDUCE_SUM) v128.store(yAt(acc, c), f64x2.add(a, v));
      else if (op == REDUCE_PROD) v128.store(yAt(acc, c), f64x2.mul(a, v));
      else {
        const better = isMax ? f64x2.gt(v, a) : f64x2.lt(v, a);
        const take = v128.and(v128.or(better, f64x2.ne(v, v)), f64x2.eq(a, a));
        v128.store(yAt(acc, c), v128.bitselect(v, a, take));
        if (arg) v128.store(yAt(y, c), v128.bitselect(rv, v128.load(yAt(y, c)), take));
      }
    }
    for (; c < cols; c++) {
      const v = get<T>(x, xr + c);
      const a = load<f64>(yAt(acc, c));
      if (op == REDUCE_SUM) store<f64>(yAt(acc, c), a + v);
      else if (op == REDUCE_PROD) store<f64>(yAt(acc, c), a * v);
      else if (a == a && ((isMax ? v > a : v < a) || v != v)) {
        store<f64>(yAt(acc, c), v);
        if (arg) store<f64>(yAt(y, c), <f64>r);
      }
    }
  }
}

/**
 * Folds `cols` adjacent outputs together: y[c] = fold over r < outer of x[r·os + c] (reducing leading axes,
 * e.g. a bias gradient), f64x2 across c. `best`: scratch of `cols` f64 for argmax/argmin.
 */
export function reduceColumns(
  op: i32,
  element: i32,
  x: usize,
  y: usize,
  cols: i32,
  outer: i32,
  os: i32,
  first: bool,
  best: usize,
): void {
  if (element == ELEMENT_FLOAT32) columns<f32>(op, x, y, cols, outer, os, first, best);
  else if (element == ELEMENT_FLOAT64) columns<f64>(op, x, y, cols, outer, os, first, best);
  else if (element == ELEMENT_INT32) columns<i32>(op, x, y, cols, outer, os, first, best);
  else columns<u8>(op, x, y, cols, outer, os, first, best);
}
