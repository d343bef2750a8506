import { noGrad, type Variable } from "@chainrule/autograd";
import { transpose, type NDArray } from "@chainrule/ndarray";
import {
  BatchNorm1d,
  Dense,
  Sequential,
  parseSafetensors,
  serializeSafetensors,
  type Module,
} from "@chainrule/nn";
import { OnnxError } from "./errors";
import { isConv2D } from "./layers";

export interface PytorchNamesOptions {
  /**
   * The PyTorch module name of each weighted layer (Dense, Conv2D, BatchNorm1d), in order: `["0", "3", "fc"]`.
   * Default when saving: the layer's index in the (flattened) Sequential. Default when loading: the file's
   * module prefixes in natural order (`0, 2, 10`), matched to the weighted layers in order.
   */
  prefixes?: readonly string[];
}

/** How one chainrule Variable is stored in PyTorch: its name and the axis permutation between the two. */
interface Slot {
  key: string;
  variable: Variable;
  /** chainrule → PyTorch. */
  perm?: number[];
}

function flatten(model: Module): Module[] {
  return model instanceof Sequential ? model.layers.flatMap(flatten) : [model];
}

function weighted(model: Module): { index: number; layer: Module }[] {
  return flatten(model)
    .map((layer, index) => ({ layer, index }))
    .filter(({ layer }) => layer instanceof Dense || layer instanceof BatchNorm1d || isConv2D(layer));
}

function slots(layer: Module, prefix: string): Slot[] {
  const out: Slot[] = [];
  const put = (name: string, v: Variable | undefined, perm?: number[]) => {
    if (v) out.push({ key: `${prefix}.${name}`, variable: v, perm });
  };
  if (layer instanceof Dense) {
    put("weight", layer.kernel, [1, 0]); // nn.Linear: [out, in]
    put("bias", layer.bias);
  } else if (layer instanceof BatchNorm1d) {
    put("weight", layer.gamma);
    put("bias", layer.beta);
    put("running_mean", layer.runningMean);
    put("running_var", layer.runningVar);
  } else if (isConv2D(layer)) {
    put("weight", layer.kernel, [3, 2, 0, 1]); // nn.Conv2d: [cout, cin, kh, kw]
    put("bias", layer.bias);
  }
  if (out.length === 0)
    throw new OnnxError(`${layer.constructor.name}: not built (call the model once first)`);
  return out;
}

const prefixOf = (key: string) => key.slice(0, Math.max(0, key.lastIndexOf(".")));
const natural = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

function allSlots(model: Module, prefixes: readonly string[] | undefined): Slot[] {
  const layers = weighted(model);
  if (prefixes && prefixes.length !== layers.length)
    throw new OnnxError(`pytorch: ${prefixes.length} prefixes for ${layers.length} weighted layers`);
  return layers.flatMap(({ layer, index }, i) => slots(layer, prefixes?.[i] ?? String(index)));
}

/** The model's weights named and laid out as a PyTorch state dict (Linear's weight transposed, Conv2d's permuted). */
export function toPytorchStateDict(
  model: Module,
  options: PytorchNamesOptions = {},
): Record<string, NDArray> {
  const out: Record<string, NDArray> = {};
  for (const s of allSlots(model, options.prefixes)) {
    const x = s.variable.read();
    out[s.key] = s.perm ? transpose(x, s.perm) : x;
  }
  return out;
}

/**
 * Loads a PyTorch state dict into the equivalent chainrule model. Every name and shape is checked before
 * anything is written; `num_batches_tracked` is ignored (chainrule does not count batches).
 */
export function loadPytorchStateDict(
  model: Module,
  tensors: Record<string, NDArray>,
  options: PytorchNamesOptions = {},
): void {
  const keys = Object.keys(tensors).filter((k) => !k.endsWith(".num_batches_tracked"));
  const prefixes = options.prefixes ?? [...new Set(keys.map(prefixOf))].sort(natural);
  const all = allSlots(model, prefixes);
  const expected = new Set(all.map((s) => s.key));
  const extra = keys.filter((k) => !expected.has(k));
  const missing = all.filter((s) => !(s.key in tensors)).map((s) => s.key);
  if (extra.length || missing.length)
    throw new OnnxError(
      `loadPytorchStateDict: missing [${missing.join(", ")}], unexpected [${extra.join(", ")}]`,
    );
  const values = all.map((s) => {
    const t = tensors[s.key]!;
    const x = s.perm ? transpose(t, inverse(s.perm)) : t;
    if (x.shape.join() !== s.variable.shape.join())
      throw new OnnxError(
        `loadPytorchStateDict: '${s.key}' has shape [${t.shape.join(", ")}], the model needs [${(s.perm ? s.perm.map((p) => s.variable.shape[p]) : s.variable.shape).join(", ")}]`,
      );
    return x;
  });
  noGrad(() =>
    all.forEach((s, i) =>
      s.variable.assign(
        values[i]!.dtype === s.variable.dtype ? values[i]! : values[i]!.astype(s.variable.dtype),
      ),
    ),
  );
}

const inverse = (p: readonly number[]) => p.map((_, i) => p.indexOf(i));

/** A safetensors file that `safetensors.torch.load_file` reads as the equivalent PyTorch model's state dict. */
export function savePytorchSafetensors(model: Module, options: PytorchNamesOptions = {}): Uint8Array {
  return serializeSafetensors(toPytorchStateDict(model, options));
}

/** Loads a file written by `safetensors.torch.save_file(model.state_dict(), …)`. */
export function loadPytorchSafetensors(
  model: Module,
  bytes: Uint8Array,
  options: PytorchNamesOptions = {},
): void {
  loadPytorchStateDict(model, parseSafetensors(bytes).tensors, options);
}
