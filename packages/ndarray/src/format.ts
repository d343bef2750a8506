import type { DType } from "./dtype";
import type { NDArray } from "./ndarray";

// NumPy's print options: summarise above 1000 elements, 3 edge items, 75 columns, 8 digits.
const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 75;
const PRECISION = 8;
const SEPARATOR = ", ";
const PREFIX = "array(";

/** The dtypes the creation functions default to, left out of the repr (as NumPy leaves out float64). */
const IMPLIED: ReadonlySet<DType> = new Set<DType>(["float32", "int32", "bool"]);

type Formatter = (v: number) => string;

/**
 * NumPy-style repr: `array([[1. , 2.5],\n       [3. , 4. ]])`, with NumPy's float formatting
 * (shortest digits, at most 8 after the point, aligned decimal points, scientific notation when
 * the magnitudes call for it), line wrapping at 75 columns, and summarised with `...` when the
 * array has more than 1000 elements. The dtype is shown unless it is a default one (float32,
 * int32, bool), and the shape when the text does not show it (summarised or empty), as NumPy 2.
 */
export function formatArray(x: NDArray): string {
  const summarise = x.size > SUMMARY_THRESHOLD;
  let body = "[]";
  if (x.size > 0) {
    const fmt = formatter(shownValues(x, summarise), x.dtype, x.ndim === 0);
    body = formatNested(x, fmt, summarise, LINE_WIDTH - 1);
  }
  // As NumPy 2: the shape is added when the text does not show it, the dtype unless it is implied.
  const extras: string[] = [];
  if ((x.size === 0 && x.ndim !== 1) || summarise) {
    extras.push(`shape=(${x.shape.join(", ")}${x.ndim === 1 ? "," : ""})`);
  }
  if (!IMPLIED.has(x.dtype) || x.size === 0) extras.push(`dtype=${x.dtype}`);
  if (extras.length === 0) return PREFIX + body + ")";
  const s = PREFIX + body + ",";
  const extra = extras.join(", ") + ")";
  const lastLine = s.length - (s.lastIndexOf("\n") + 1);
  const spacer = lastLine + extra.length + 1 > LINE_WIDTH ? "\n" + " ".repeat(PREFIX.length) : " ";
  return s + spacer + extra;
}

/** Indices shown along an axis of length n: all, or the first and last EDGE_ITEMS with -1 for "...". */
function shownIndices(n: number, summarise: boolean): number[] {
  if (!summarise || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0; i < EDGE_ITEMS; i++) out.push(i);
  out.push(-1);
  for (let i = n - EDGE_ITEMS; i < n; i++) out.push(i);
  return out;
}

/** The values that will be printed: the format (widths, notation) is chosen from these only. */
function shownValues(x: NDArray, summarise: boolean): number[] {
  const out: number[] = [];
  const visit = (dim: number, off: number): void => {
    if (dim === x.ndim) return void out.push(x.buffer[off]!);
    for (const i of shownIndices(x.shape[dim]!, summarise))
      if (i >= 0) visit(dim + 1, off + i * x.strides[dim]!);
  };
  visit(0, x.offset);
  return out;
}

/** NumPy's `_formatArray`: nested brackets, rows wrapped at `width`, blank lines between blocks. */
function formatNested(x: NDArray, fmt: Formatter, summarise: boolean, width: number): string {
  const hang0 = " ".repeat(PREFIX.length + 1);
  const recurse = (dim: number, off: number, hang: string, curWidth: number): string => {
    const left = x.ndim - dim;
    if (left === 0) return fmt(x.buffer[off]!);
    const nextHang = hang + " ";
    const nextWidth = curWidth - 1;
    const idx = shownIndices(x.shape[dim]!, summarise);
    const stride = x.strides[dim]!;
    let s = "";
    if (left === 1) {
      const elemWidth = curWidth - Math.max(SEPARATOR.trimEnd().length, 1);
      let line = hang;
      idx.forEach((i, k) => {
        const word = i < 0 ? "..." : recurse(dim + 1, off + i * stride, nextHang, nextWidth);
        // Don't wrap when it would not help (the line holds only the indent).
        if (line.length + word.length > elemWidth && line.length > hang.length) {
          s += line.trimEnd() + "\n";
          line = hang;
        }
        line += word;
        if (k < idx.length - 1) line += SEPARATOR;
      });
      s += line;
    } else {
      const lineSep = SEPARATOR.trimEnd() + "\n".repeat(left - 1);
      idx.forEach((i, k) => {
        const nested = i < 0 ? "..." : recurse(dim + 1, off + i * stride, nextHang, nextWidth);
        s += hang + nested + (k < idx.length - 1 ? lineSep : "");
      });
    }
    return "[" + s.slice(hang.length) + "]";
  };
  return recurse(0, x.offset, hang0, width);
}

/** The largest of a list (without spreading it into arguments, which overflows for long lists). */
const largest = (xs: readonly number[]) => xs.reduce((a, b) => (b > a ? b : a), -Infinity);

function formatter(values: number[], dtype: DType, is0d: boolean): Formatter {
  if (dtype === "bool") return (v) => (v ? (is0d ? "True" : " True") : "False");
  if (dtype === "int32" || dtype === "uint8") {
    const w = largest(values.map((v) => String(v).length));
    return (v) => String(v).padStart(w);
  }
  return floatFormatter(values, dtype === "float32");
}

/** The shortest decimal that reads back as `v` (as a float32 when `f32`), as a JS number string. */
function shortest(v: number, f32: boolean): string {
  if (!f32) return String(v);
  for (let p = 1; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(Number(v.toPrecision(9)));
}

/**
 * `v.toFixed(p)` or `v.toExponential(p)`, but rounding exact ties to even as NumPy's Dragon4 does
 * (JS rounds them away from zero): 2⁻⁹ = 0.001953125 gives 0.00195312 at 8 places.
 */
function roundHalfEven(v: number, p: number, exp: boolean): string {
  const rounded = exp ? v.toExponential(p) : v.toFixed(p);
  // A double is either exactly the tie or differs from it well within 20 more digits.
  const more = exp ? v.toExponential(p + 20) : v.toFixed(p + 20);
  const [mant, e] = exp ? (more.split("e") as [string, string]) : [more, ""];
  const keep = mant.length - 20;
  if (!/^50*$/.test(mant.slice(keep))) return rounded;
  let kept = mant.slice(0, keep);
  if (kept.endsWith(".")) kept = kept.slice(0, -1);
  const last = Number(kept[kept.length - 1]);
  if (last % 2 === 1) return rounded;
  return exp ? `${kept}e${e}` : kept;
}

/** Positional digits, unique but at most PRECISION after the point, trailing zeros trimmed, "." kept. */
function positional(v: number, f32: boolean): string {
  let s = shortest(v, f32);
  const dot = s.indexOf(".");
  if (dot >= 0 && s.length - dot - 1 > PRECISION) s = roundHalfEven(v, PRECISION, false).replace(/0+$/, "");
  if (!s.includes(".")) s += ".";
  if (Object.is(v, -0)) s = "-0.";
  return s;
}

/** Scientific digits: mantissa (unique, at most PRECISION after the point) and signed exponent. */
function scientific(v: number, f32: boolean): [mantissa: string, exponent: string] {
  let s = Number(shortest(v, f32)).toExponential();
  let [m, e] = s.split("e") as [string, string];
  const dot = m.indexOf(".");
  if (dot >= 0 && m.length - dot - 1 > PRECISION) {
    s = roundHalfEven(v, PRECISION, true);
    [m, e] = s.split("e") as [string, string];
    m = m.replace(/0+$/, "");
  }
  if (!m.includes(".")) m += ".";
  return [m, e];
}

/** NumPy's FloatingFormat in its default "maxprec" mode. */
function floatFormatter(values: number[], f32: boolean): Formatter {
  const finite = values.filter((v) => Number.isFinite(v));
  const nonzero = finite.filter((v) => v !== 0).map(Math.abs);
  let expMode = false;
  if (nonzero.length > 0) {
    const hi = largest(nonzero);
    const lo = -largest(nonzero.map((v) => -v));
    expMode = hi >= 1e8 || lo < 1e-4 || hi / lo > 1e3;
  }
  let padLeft = 0;
  let padRight = 0;
  let fmtFinite: Formatter;
  if (finite.length === 0) {
    fmtFinite = (v) => positional(v, f32);
  } else if (expMode) {
    const parts = finite.map((v) => scientific(v, f32));
    const precision = largest(parts.map(([m]) => m.length - m.indexOf(".") - 1));
    const expSize = Math.max(2, largest(parts.map(([, e]) => e.length - 1)));
    padLeft = largest(parts.map(([m]) => m.indexOf(".")));
    padRight = expSize + 2 + precision;
    // Every mantissa gets `precision` digits: the value's own further digits, not padding zeros.
    fmtFinite = (v) => {
      const [digits, e] = roundHalfEven(v, precision, true).split("e") as [string, string];
      const m = precision === 0 ? digits + "." : digits;
      const exp = e[0] === "-" ? "-" : "+";
      return `${m.padStart(padLeft + 1 + precision)}e${exp}${e.slice(1).padStart(expSize, "0")}`;
    };
  } else {
    const parts = finite.map((v) => positional(v, f32).split(".") as [string, string]);
    padLeft = largest(parts.map(([i]) => i.length));
    padRight = largest(parts.map(([, f]) => f.length));
    fmtFinite = (v) => {
      const [int, frac] = positional(v, f32).split(".") as [string, string];
      return `${int.padStart(padLeft)}.${frac.padEnd(padRight)}`;
    };
  }
  if (finite.length !== values.length) {
    const negInf = values.some((v) => v === -Infinity) ? 1 : 0;
    padLeft = Math.max(padLeft, 3 - (padRight + 1), 3 + negInf - (padRight + 1));
  }
  const total = padLeft + padRight + 1;
  return (v) => {
    if (Number.isNaN(v)) return "nan".padStart(total);
    if (!Number.isFinite(v)) return (v > 0 ? "inf" : "-inf").padStart(total);
    return fmtFinite(v);
  };
}
