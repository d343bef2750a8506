import type { NDArray } from "./ndarray";

const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;

function formatNumber(v: number, dtype: string): string {
  if (dtype === "bool") return v ? "True" : "False";
  if (dtype === "int32" || dtype === "uint8") return String(v);
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.`;
  const a = Math.abs(v);
  // NumPy's default: at most 8 digits after the point, scientific notation for tiny or huge values.
  if (a < 1e-4 || a >= 1e16) return v.toExponential(8).replace(/\.?0+e/, "e");
  const s = String(Number(v.toFixed(8)));
  return s.includes(".") ? s : `${s}.`;
}

/** NumPy-style text: `array([[1., 2.], [3., 4.]], dtype=float32)`, summarised with `...` when large. */
export function formatArray(x: NDArray): string {
  const summarise = x.size > SUMMARY_THRESHOLD;
  const data = x.data;
  const strides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const render = (dim: number, start: number): unknown => {
    if (dim === x.shape.length) return formatNumber(data[start]!, x.dtype);
    const n = x.shape[dim]!;
    const idx =
      summarise && n > 2 * EDGE_ITEMS
        ? [
            ...Array.from({ length: EDGE_ITEMS }, (_, i) => i),
            -1,
            ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i),
          ]
        : Array.from({ length: n }, (_, i) => i);
    return idx.map((i) => (i < 0 ? "..." : render(dim + 1, start + i * strides[dim]!)));
  };
  const tree = render(0, 0);
  const flat: string[] = [];
  const collect = (t: unknown): void => (Array.isArray(t) ? t.forEach(collect) : void flat.push(t as string));
  collect(tree);
  const width = Math.max(0, ...flat.filter((s) => s !== "...").map((s) => s.length));
  const prefix = "array(";
  const print = (t: unknown, depth: number): string => {
    if (!Array.isArray(t)) return t === "..." ? "..." : (t as string).padStart(width);
    const parts = t.map((c) => print(c, depth + 1));
    const innerIsLeaf = !Array.isArray(t[0]) && !(t[0] === "..." && !Array.isArray(t[1]));
    if (innerIsLeaf) return `[${parts.join(", ")}]`;
    const sep = "," + "\n".repeat(x.shape.length - depth - 1) + " ".repeat(prefix.length + depth + 1);
    return `[${parts.join(sep)}]`;
  };
  const body = x.shape.length === 0 ? formatNumber(data[0]!, x.dtype) : print(tree, 0);
  const defaultDtype = x.dtype === "float32";
  return `${prefix}${body}${defaultDtype ? "" : `, dtype=${x.dtype}`})`;
}
