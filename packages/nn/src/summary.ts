import { noGrad } from "@chainrule/autograd";
import { zeros, type DType } from "@chainrule/ndarray";
import { withEvalMode } from "./eval-mode";
// Type-only: module.ts imports this file, so a value import back would be a cycle.
import type { Module } from "./module";

export interface SummaryOptions {
  /** Print the table with console.log, as Keras does (default true). It is returned either way. */
  print?: boolean;
  /** dtype of the zero batch run through the model (default: the model's first variable's, else float32). */
  dtype?: DType;
}

const BYTES: Record<DType, number> = { float64: 8, float32: 4, int32: 4, uint8: 1, bool: 1 };

/** 244522 → "244,522" (no Intl dependency: the same text everywhere). */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function bytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(2)} ${units[u]}`;
}

// Keras's layer naming (its to_snake_case): Dense → dense, dense_1, …; BatchNorm1d → batch_norm1d;
// Conv2D → conv2d; MaxPool2D → max_pool2d.
export function snake(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/** Whether a module's weights exist yet (a lazily built layer has none before its first call). */
function isBuilt(m: Module): boolean {
  const b = (m as { built?: unknown }).built;
  return b === undefined || b === true;
}

export function summarize(
  model: Module,
  inputShape?: readonly number[],
  options: SummaryOptions = {},
): string {
  const children = model.namedChildren();
  const rows: [string, Module][] = children.length > 0 ? children : [[model.constructor.name, model]];
  const kerasNames = (model as { summaryNames?: unknown }).summaryNames === "keras";
  const shape = inputShape ?? model.inputShape();
  const outShapes = new Map<Module, readonly number[]>();
  if (shape !== undefined) {
    const dtype = options.dtype ?? model.variables()[0]?.dtype ?? "float32";
    // Each row's module records its output shape while the model runs a batch of one zero sample.
    const restore: (() => void)[] = [];
    for (const [, m] of rows) {
      const own = Object.getOwnPropertyDescriptor(m, "forward");
      const forward = m.forward;
      Object.defineProperty(m, "forward", {
        configurable: true,
        enumerable: false,
        writable: true,
        value: (...inputs: Parameters<Module["forward"]>) => {
          const y = forward.apply(m, inputs);
          outShapes.set(m, y.shape);
          return y;
        },
      });
      restore.push(() =>
        own ? Object.defineProperty(m, "forward", own) : delete (m as Partial<Module>).forward,
      );
    }
    try {
      withEvalMode(model, () => noGrad(() => model.call(zeros([1, ...shape], dtype))));
    } finally {
      restore.forEach((r) => r());
    }
  }

  const counts = new Map<string, number>();
  const table = rows.map(([path, m]) => {
    const type = m.constructor.name;
    let name = path;
    if (kerasNames) {
      const base = snake(type);
      const k = counts.get(base) ?? 0;
      counts.set(base, k + 1);
      name = k === 0 ? base : `${base}_${k}`;
    }
    const out = outShapes.get(m);
    const built = isBuilt(m);
    return [
      `${name} (${type})`,
      out ? `[${["null", ...out.slice(1)].join(", ")}]` : "?",
      built ? thousands(m.countParams().total) : "0 (unbuilt)",
    ] as const;
  });

  let total = 0;
  let trainable = 0;
  let totalBytes = 0;
  let trainableBytes = 0;
  for (const v of model.variables()) {
    total += v.size;
    totalBytes += v.size * BYTES[v.dtype];
    if (v.trainable) {
      trainable += v.size;
      trainableBytes += v.size * BYTES[v.dtype];
    }
  }

  const w0 = Math.max(29, ...table.map((r) => r[0].length + 3));
  const w1 = Math.max(26, ...table.map((r) => r[1].length + 3));
  const w2 = Math.max(10, "Param #".length, ...table.map((r) => r[2].length));
  const width = 1 + w0 + w1 + w2 + 1;
  const line = (a: string, b: string, c: string) =>
    (" " + a.padEnd(w0) + b.padEnd(w1) + c.padStart(w2)).trimEnd();
  const text = [
    `Model: "${model.constructor.name}"`,
    "_".repeat(width),
    line("Layer (type)", "Output Shape", "Param #"),
    "=".repeat(width),
    ...table.map((r) => line(r[0], r[1], r[2])),
    "=".repeat(width),
    `Total params: ${thousands(total)} (${bytes(totalBytes)})`,
    `Trainable params: ${thousands(trainable)} (${bytes(trainableBytes)})`,
    `Non-trainable params: ${thousands(total - trainable)} (${bytes(totalBytes - trainableBytes)})`,
    "_".repeat(width),
  ].join("\n");
  if (options.print ?? true) console.log(text);
  return text;
}
