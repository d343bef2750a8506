import { forEachRow, type DType, type NDArray, type TypedArray } from "@chainrule/ndarray";

/**
 * Elementwise fusion: a chain (or small DAG) of same-shape unary/binary/cast/where ops becomes one
 * loop over the output. Intermediate values never touch memory, but each one is rounded exactly as
 * storing it in an array of its dtype would (Math.fround for float32, |0 for int32…), so fused
 * results are bit-for-bit those of the separate kernels.
 */

export const UNARY = new Set([
  "neg",
  "abs",
  "sign",
  "exp",
  "log",
  "log1p",
  "expm1",
  "sqrt",
  "sin",
  "cos",
  "tanh",
  "sigmoid",
  "relu",
  "floor",
  "ceil",
  "round",
]);
export const BINARY = new Set([
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "maximum",
  "minimum",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
]);

/** Primitives the fuser can put in a loop. */
export function isElementwise(op: string): boolean {
  return UNARY.has(op) || BINARY.has(op) || op === "cast" || op === "where";
}

/** Operand encoding: a member's index (≥ 0), or -(k + 1) for external input k. */
export interface FusedMember {
  readonly op: string;
  readonly dtype: DType;
  /** cast: the target dtype. */
  readonly castTo?: DType;
  readonly operands: readonly number[];
}

export interface FusedSpec {
  /** In evaluation order; the last one is the output. */
  readonly members: readonly FusedMember[];
  /** External inputs, each of the output's shape (any strides). */
  readonly ext: readonly NDArray[];
  /** For externals that never change (constants broadcast from one value): the value, inlined. */
  readonly extLiteral: readonly (number | undefined)[];
  /** Contiguous output. */
  readonly out: NDArray;
}

function sigmoid1(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const HELPERS = { sigmoid: sigmoid1, round: roundHalfEven };

/** The iteration plan: rows of `n` elements; per input, an inner stride and each row's start. */
interface Geometry {
  rows: number;
  n: number;
  inner: number[];
  starts: Int32Array;
  /** Inputs whose every element is the same buffer element. */
  uniform: boolean[];
}

function geometry(spec: FusedSpec): Geometry {
  const k = spec.ext.length;
  const starts: number[] = [];
  let n = 0;
  let inner: number[] = new Array<number>(k).fill(0);
  let rows = 0;
  forEachRow(
    spec.out.shape,
    [spec.out.strides, ...spec.ext.map((e) => e.strides)],
    [0, ...spec.ext.map((e) => e.offset)],
    (offs, len, st) => {
      n = len;
      inner = st.slice(1);
      for (let j = 0; j < k; j++) starts.push(offs[j + 1]!);
      rows++;
    },
  );
  const uniform = spec.ext.map((_, j) => {
    if (inner[j] !== 0) return false;
    for (let r = 1; r < rows; r++) if (starts[r * k + j] !== starts[j]) return false;
    return true;
  });
  return { rows, n, inner, starts: Int32Array.from(starts), uniform };
}

function roundExpr(dtype: DType, e: string): string {
  switch (dtype) {
    case "float32":
      return `Math.fround(${e})`;
    case "float64":
      return e;
    case "int32":
      return `((${e}) | 0)`;
    case "uint8":
    case "bool":
      return `((${e}) & 255)`;
  }
}

function opExpr(m: FusedMember, a: string, b: string, c: string): string {
  switch (m.op) {
    case "neg":
      return `-${a}`;
    case "abs":
    case "sign":
    case "exp":
    case "log":
    case "log1p":
    case "expm1":
    case "sqrt":
    case "sin":
    case "cos":
    case "tanh":
    case "floor":
    case "ceil":
      return `Math.${m.op}(${a})`;
    case "sigmoid":
      return `H.sigmoid(${a})`;
    case "round":
      return `H.round(${a})`;
    case "relu":
      return `(${a} <= 0 ? 0 : ${a})`;
    case "add":
      return `${a} + ${b}`;
    case "sub":
      return `${a} - ${b}`;
    case "mul":
      return `${a} * ${b}`;
    case "div":
      return `${a} / ${b}`;
    case "pow":
      return `${a} ** ${b}`;
    case "maximum":
      return `(${a} > ${b} || ${a} !== ${a} ? ${a} : ${b})`;
    case "minimum":
      return `(${a} < ${b} || ${a} !== ${a} ? ${a} : ${b})`;
    case "eq":
      return `(${a} === ${b} ? 1 : 0)`;
    case "ne":
      return `(${a} !== ${b} ? 1 : 0)`;
    case "lt":
      return `(${a} < ${b} ? 1 : 0)`;
    case "le":
      return `(${a} <= ${b} ? 1 : 0)`;
    case "gt":
      return `(${a} > ${b} ? 1 : 0)`;
    case "ge":
      return `(${a} >= ${b} ? 1 : 0)`;
    case "cast":
      if (m.castTo === "bool") return `(${a} !== 0 ? 1 : 0)`;
      if (m.castTo === "int32" || m.castTo === "uint8") return `Math.trunc(${a})`;
      return a;
    case "where":
      return `(${a} ? ${b} : ${c})`;
  }
  throw new Error(`fusion: unknown elementwise op '${m.op}'`);
}

function literal(v: number): string {
  return Object.is(v, -0) ? "(-0)" : `(${String(v)})`;
}

let codegenWorks: boolean | undefined;

/** Whether `new Function` is allowed here (a Content-Security-Policy without 'unsafe-eval' forbids it). */
export function canGenerateCode(): boolean {
  if (codegenWorks === undefined) {
    try {
      codegenWorks = new Function("return 1")() === 1;
    } catch {
      codegenWorks = false;
    }
  }
  return codegenWorks;
}

/** JavaScript source of the fused loop (also shown by `plan.toString()` for debugging). */
export function fusedSource(spec: FusedSpec, g: Geometry = geometry(spec)): string {
  const k = spec.ext.length;
  const lines: string[] = [];
  const name = (o: number) => (o >= 0 ? `t${o}` : `x${-o - 1}`);
  for (let j = 0; j < k; j++) if (spec.extLiteral[j] === undefined) lines.push(`const b${j} = B[${j}];`);
  lines.push("return function fused() {");
  const perElement: number[] = [];
  for (let j = 0; j < k; j++) {
    const lit = spec.extLiteral[j];
    if (lit !== undefined) lines.push(`  const x${j} = ${literal(lit)};`);
    else if (g.uniform[j]) lines.push(`  const x${j} = b${j}[${g.starts[j]}];`);
    else perElement.push(j);
  }
  lines.push("  let oi = 0;");
  const single = g.rows === 1;
  if (!single) lines.push(`  for (let r = 0, q = 0; r < ${g.rows}; r++, q += ${k}) {`);
  for (const j of perElement) lines.push(`    let p${j} = ${single ? g.starts[j] : `S[q + ${j}]`};`);
  lines.push(`    for (let e = 0; e < ${g.n}; e++) {`);
  for (const j of perElement) {
    const s = g.inner[j]!;
    lines.push(`      const x${j} = b${j}[p${j}];${s !== 0 ? ` p${j} += ${s};` : ""}`);
  }
  const last = spec.members.length - 1;
  spec.members.forEach((m, i) => {
    const [a, b, c] = m.operands.map(name);
    const e = opExpr(m, a!, b!, c!);
    lines.push(`      const t${i} = ${i === last ? e : roundExpr(m.dtype, e)};`);
  });
  lines.push(`      o[oi++] = t${last};`);
  lines.push("    }");
  if (!single) lines.push("  }");
  lines.push("};");
  return lines.join("\n");
}

type Getter = (t: Float64Array, x: Float64Array) => number;

const ROUND: Record<DType, (v: number) => number> = {
  float32: Math.fround,
  float64: (v) => v,
  int32: (v) => v | 0,
  uint8: (v) => v & 255,
  bool: (v) => v & 255,
};

const UNARY_FN: Record<string, (v: number) => number> = {
  neg: (v) => -v,
  abs: Math.abs,
  sign: Math.sign,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: sigmoid1,
  relu: (v) => (v <= 0 ? 0 : v),
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
};

const BINARY_FN: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => a ** b,
  maximum: (a, b) => (a > b || a !== a ? a : b),
  minimum: (a, b) => (a < b || a !== a ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

/** The same loop without code generation: one closure per member, called per element. */
function interpreted(spec: FusedSpec, g: Geometry): () => void {
  const k = spec.ext.length;
  const get = (o: number): Getter => {
    if (o >= 0) return (t) => t[o]!;
    const j = -o - 1;
    return (_t, x) => x[j]!;
  };
  const fns = spec.members.map((m): Getter => {
    const [a, b, c] = m.operands.map(get);
    const r = ROUND[m.dtype];
    if (UNARY.has(m.op)) {
      const f = UNARY_FN[m.op]!;
      return (t, x) => r(f(a!(t, x)));
    }
    if (BINARY.has(m.op)) {
      const f = BINARY_FN[m.op]!;
      return (t, x) => r(f(a!(t, x), b!(t, x)));
    }
    if (m.op === "where") return (t, x) => r(a!(t, x) ? b!(t, x) : c!(t, x));
    const to = m.castTo;
    if (to === "bool") return (t, x) => (a!(t, x) !== 0 ? 1 : 0);
    if (to === "int32" || to === "uint8") return (t, x) => r(Math.trunc(a!(t, x)));
    return (t, x) => r(a!(t, x));
  });
  const t = new Float64Array(spec.members.length);
  const x = new Float64Array(k);
  const bufs: TypedArray[] = spec.ext.map((e) => e.buffer);
  const o = spec.out.buffer;
  const { rows, n, inner, starts } = g;
  const p = new Int32Array(k);
  const last = fns.length - 1;
  return () => {
    for (let j = 0; j < k; j++) {
      const lit = spec.extLiteral[j];
      if (lit !== undefined) x[j] = lit;
    }
    let oi = 0;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < k; j++) p[j] = starts[r * k + j]!;
      for (let e = 0; e < n; e++) {
        for (let j = 0; j < k; j++) {
          if (spec.extLiteral[j] !== undefined) continue;
          x[j] = bufs[j]![p[j]!]!;
          p[j] += inner[j]!;
        }
        for (let m = 0; m < fns.length; m++) t[m] = fns[m]!(t, x);
        o[oi++] = t[last]!;
      }
    }
  };
}

/** A function that computes the fused group into `spec.out`. */
export function compileFused(spec: FusedSpec, codegen: boolean): { run: () => void; generated: boolean } {
  const g = geometry(spec);
  if (codegen && canGenerateCode()) {
    const src = fusedSource(spec, g);
    try {
      const factory = new Function("o", "B", "S", "H", src) as (
        o: TypedArray,
        B: readonly TypedArray[],
        S: Int32Array,
        H: typeof HELPERS,
      ) => () => void;
      return {
        run: factory(
          spec.out.buffer,
          spec.ext.map((e) => e.buffer),
          g.starts,
          HELPERS,
        ),
        generated: true,
      };
    } catch {
      // fall through to the interpreter
    }
  }
  return { run: interpreted(spec, g), generated: false };
}
