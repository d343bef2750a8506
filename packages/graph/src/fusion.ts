import {
  binaryTable,
  canGenerateCode,
  elementwiseHelpers,
  forEachRow,
  unaryTable,
  type BinaryOp,
  type Backend,
  type DType,
  type ElementwiseGroup,
  type ElementwiseHelpers,
  type ElementwiseMember,
  type NDArray,
  type TypedArray,
  type UnaryOp,
} from "@chainrule/ndarray";

/**
 * Elementwise fusion: a chain (or small DAG) of same-shape unary/binary/cast/where ops becomes one
 * loop over the output. Intermediate values never touch memory, but each one is rounded exactly as
 * storing it in an array of its dtype would (Math.fround for float32, |0 for int32…), so fused
 * results are bit-for-bit those of the separate kernels.
 */

const isUnary = (op: string): op is UnaryOp => Object.hasOwn(unaryTable, op);
const isBinary = (op: string): op is BinaryOp => Object.hasOwn(binaryTable, op);

/** Primitives the fuser can put in a loop. */
export function isElementwise(op: string): boolean {
  return isUnary(op) || isBinary(op) || op === "cast" || op === "where";
}

/** The fuser's data: ndarray's, so that a backend can compile the same group its own way. */
export type FusedMember = ElementwiseMember;
export type FusedSpec = ElementwiseGroup;

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

/** The member's value as a JS expression of its operands: the op table's, or cast's and where's. */
function opExpr(m: FusedMember, a: string, b: string, c: string): string {
  if (isUnary(m.op)) return unaryTable[m.op].js(a);
  if (isBinary(m.op)) return binaryTable[m.op].js(a, b);
  if (m.op === "where") return `(${a} ? ${b} : ${c})`;
  if (m.op !== "cast") throw new Error(`fusion: unknown elementwise op '${m.op}'`);
  if (m.castTo === "bool") return `(${a} !== 0 ? 1 : 0)`;
  if (m.castTo === "int32" || m.castTo === "uint8") return `Math.trunc(${a})`;
  return a;
}

function literal(v: number): string {
  return Object.is(v, -0) ? "(-0)" : `(${String(v)})`;
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
    if (isUnary(m.op)) {
      const f = unaryTable[m.op].scalar;
      return (t, x) => r(f(a!(t, x)));
    }
    if (isBinary(m.op)) {
      const f = binaryTable[m.op].scalar;
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
          p[j]! += inner[j]!;
        }
        for (let m = 0; m < fns.length; m++) t[m] = fns[m]!(t, x);
        o[oi++] = t[last]!;
      }
    }
  };
}

/** How a fused group runs: the backend's own compiled call, generated JS, or the CSP-safe interpreter. */
export type FusedBy = "backend" | "generated" | "interpreted";

/** A function that computes the fused group into `spec.out`: the backend's own compilation when it offers one. */
export function compileFused(
  spec: FusedSpec,
  codegen: boolean,
  backend?: Backend,
): { run: () => void; by: FusedBy } {
  const own = backend?.compileElementwise?.(spec);
  if (own) return { run: own, by: "backend" };
  const g = geometry(spec);
  if (codegen && canGenerateCode()) {
    const src = fusedSource(spec, g);
    try {
      const factory = new Function("o", "B", "S", "H", src) as (
        o: TypedArray,
        B: readonly TypedArray[],
        S: Int32Array,
        H: ElementwiseHelpers,
      ) => () => void;
      return {
        run: factory(
          spec.out.buffer,
          spec.ext.map((e) => e.buffer),
          g.starts,
          elementwiseHelpers,
        ),
        by: "generated",
      };
    } catch {
      // fall through to the interpreter
    }
  }
  return { run: interpreted(spec, g), by: "interpreted" };
}
