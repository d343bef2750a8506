import { Variable, noGrad, variableBrand } from "@chainrule/autograd";
import {
  NDArray,
  Random,
  brandClass,
  isFloat,
  shapesEqual,
  zeros,
  formatShape,
  type DType,
} from "@chainrule/ndarray";
import { NN_COPY } from "./copy";
import { StateDictError } from "./errors";
import { toRng } from "./random";
import { withEvalMode } from "./eval-mode";
import { summarize, type SummaryOptions } from "./summary";

export interface LoadStateDictOptions {
  /** Every name must match both ways (default true). When false, only the common names are loaded. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  /** Names the module has that the dict lacks (only non-empty when `strict: false`). */
  missingKeys: string[];
  /** Names the dict has that the module lacks (only non-empty when `strict: false`). */
  unexpectedKeys: string[];
}

export interface ParamCounts {
  total: number;
  trainable: number;
  nonTrainable: number;
}

type Visitor = {
  variable?: (name: string, v: Variable) => void;
  module?: (name: string, m: Module) => void;
};

const join = (prefix: string, key: string | number) => (prefix === "" ? String(key) : `${prefix}.${key}`);

function isPlainObject(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

// Depth-first over own enumerable properties, in insertion order. Each Variable and Module is reported once
// (under the first name it is reached by), so shared layers and cycles are harmless. `deep: false` does not
// enter submodules (their direct children only).
function walk(root: Module, visitor: Visitor, deep = true): void {
  const seen = new Set<object>();
  const visitValue = (value: unknown, name: string): void => {
    if (value === null || typeof value !== "object") return;
    if (seen.has(value)) return;
    if (value instanceof Variable) {
      seen.add(value);
      visitor.variable?.(name, value);
    } else if (value instanceof Module) {
      seen.add(value);
      visitor.module?.(name, value);
      if (deep) visitProps(value, name);
    } else if (variableBrand.foreign(value) || moduleBrand.foreign(value)) {
      // Otherwise silently no parameter: an optimizer would never see it.
      const what = `${root.constructor.name}: property '${name}'`;
      variableBrand.reject(value, what);
      moduleBrand.reject(value, what);
    } else if (Array.isArray(value)) {
      seen.add(value);
      for (let i = 0; i < value.length; i++) visitValue(value[i], join(name, i));
    } else if (!(value instanceof NDArray) && isPlainObject(value)) {
      seen.add(value);
      visitProps(value, name);
    }
  };
  const visitProps = (obj: object, prefix: string): void => {
    for (const key of Object.keys(obj)) visitValue((obj as Record<string, unknown>)[key], join(prefix, key));
  };
  seen.add(root);
  visitor.module?.("", root);
  visitProps(root, "");
}

/**
 * The base of every layer and model. Subclasses compute `forward` with array ops (the tape differentiates
 * them) and keep their state in plain properties: `Variable`s, other `Module`s, and arrays or plain objects
 * of them are found automatically, named by their property path (`layers.0.kernel`, as in PyTorch).
 * Trainable Variables are parameters; non-trainable ones are buffers (running statistics), saved in the
 * state dict but never handed to an optimiser.
 */
export abstract class Module {
  /** Training mode (the default) or evaluation mode; `train()`/`eval()` set it on every submodule. */
  training = true;

  abstract forward(...inputs: NDArray[]): NDArray;

  /** Runs `forward` (Keras's `layer(x)`, PyTorch's `module(x)`). */
  call(...inputs: NDArray[]): NDArray {
    return this.forward(...inputs);
  }

  /** Every Variable (parameters and buffers) with its dotted name, in definition order. */
  namedVariables(): [string, Variable][] {
    const out: [string, Variable][] = [];
    walk(this, { variable: (n, v) => out.push([n, v]) });
    return out;
  }

  variables(): Variable[] {
    return this.namedVariables().map(([, v]) => v);
  }

  /** The trainable Variables with their names: what an optimiser updates. */
  namedParameters(): [string, Variable][] {
    return this.namedVariables().filter(([, v]) => v.trainable);
  }

  /** The trainable Variables. Walks the module each call: fetch once, outside the training loop. */
  parameters(): Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  /** Non-trainable Variables (e.g. BatchNorm running statistics) with their names. */
  namedBuffers(): [string, Variable][] {
    return this.namedVariables().filter(([, v]) => !v.trainable);
  }

  buffers(): Variable[] {
    return this.namedBuffers().map(([, v]) => v);
  }

  /** This module (named "") and every submodule, depth first. */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [];
    walk(this, { module: (n, m) => out.push([n, m]) });
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** The direct submodules (not their descendants), with their names. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    walk(this, { module: (n, m) => m !== this && out.push([n, m]) }, false);
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** Sets training mode on this module and every submodule. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: Dropout is the identity, BatchNorm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Parameter counts (elements): trainable, non-trainable (buffers), total. */
  countParams(): ParamCounts {
    let trainable = 0;
    let nonTrainable = 0;
    for (const v of this.variables()) {
      if (v.trainable) trainable += v.size;
      else nonTrainable += v.size;
    }
    return { total: trainable + nonTrainable, trainable, nonTrainable };
  }

  /**
   * Reinitialises every random part from one generator: each direct child gets `rng.fork()`, in order.
   * Layers with weights or dropout masks override this to take the generator (and redraw built weights).
   */
  reseed(seed: number | string | Random): this {
    const rng = toRng(seed);
    for (const child of this.children()) child.reseed(rng.fork());
    return this;
  }

  /**
   * The shape of one input sample (without the batch axis) when the module knows it, e.g. a first Dense
   * layer with `inputDim`. `summary()` and `build()` use it when no shape is given.
   */
  inputShape(): readonly number[] | undefined {
    return undefined;
  }

  /**
   * Creates lazily built weights by running a batch of one zero sample of `inputShape` (no batch axis)
   * in evaluation mode, with no tape recording: running statistics and dropout generators are untouched.
   */
  build(inputShape?: readonly number[], dtype: DType = "float32"): this {
    const shape = inputShape ?? this.inputShape();
    if (shape === undefined) {
      throw new Error(
        `${this.constructor.name}.build: no input shape given and none known (give the first layer inputDim)`,
      );
    }
    withEvalMode(this, () => noGrad(() => this.call(zeros([1, ...shape], dtype))));
    return this;
  }

  /** Snapshots of every Variable (parameters and buffers) by name: later training does not change them. */
  stateDict(): Record<string, NDArray> {
    const out: Record<string, NDArray> = {};
    for (const [name, v] of this.namedVariables()) out[name] = v.read();
    return out;
  }

  /**
   * Loads values by name. Everything is checked first (names, unless `strict: false`; shapes; dtypes, where
   * float32 and float64 convert into each other and other dtypes must match) and nothing is assigned unless
   * all of it fits: a failed load leaves the module unchanged.
   */
  loadStateDict(dict: Record<string, NDArray>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const own = this.namedVariables();
    const ownNames = new Set(own.map(([n]) => n));
    const missingKeys = own.map(([n]) => n).filter((n) => !Object.prototype.hasOwnProperty.call(dict, n));
    const unexpectedKeys = Object.keys(dict).filter((n) => !ownNames.has(n));
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`missing: ${missingKeys.join(", ")}`);
    if (strict && unexpectedKeys.length > 0) problems.push(`unexpected: ${unexpectedKeys.join(", ")}`);
    const todo: [Variable, NDArray][] = [];
    for (const [name, v] of own) {
      if (!Object.prototype.hasOwnProperty.call(dict, name)) continue;
      const value = dict[name];
      if (!(value instanceof NDArray)) {
        problems.push(`'${name}' is not an NDArray`);
        continue;
      }
      if (!shapesEqual(value.shape, v.shape)) {
        problems.push(
          `'${name}': the module has shape ${formatShape(v.shape)}, the value ${formatShape(value.shape)}`,
        );
        continue;
      }
      if (value.dtype !== v.dtype && !(isFloat(value.dtype) && isFloat(v.dtype))) {
        problems.push(`'${name}': the module has dtype ${v.dtype}, the value ${value.dtype}`);
        continue;
      }
      todo.push([v, value]);
    }
    if (problems.length > 0) {
      const lazy = this.namedModules()
        .filter(([, m]) => (m as { built?: unknown }).built === false && m.children().length === 0)
        .map(([n]) => n || "the module");
      const hint =
        lazy.length > 0
          ? ` (${lazy.join(", ")} ${lazy.length === 1 ? "is" : "are"} not built yet: call build(inputShape) or run a batch first)`
          : "";
      throw new StateDictError(
        `loadStateDict(${this.constructor.name}): nothing loaded; ${problems.join("; ")}${hint}`,
      );
    }
    noGrad(() => {
      for (const [v, value] of todo) v.assign(value);
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Prints and returns a Keras-style table: each direct submodule's output shape for a batch of `inputShape`
   * samples (`null` is the batch axis) and its parameter count, then the totals.
   */
  summary(inputShape?: readonly number[], options: SummaryOptions = {}): string {
    return summarize(this, inputShape, options);
  }

  /** Constructor arguments worth showing in `toString()`, e.g. `units=256, activation=relu`. */
  protected extraRepr(): string {
    return "";
  }

  /** PyTorch-style description of the module tree. */
  toString(): string {
    const kids = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (kids.length === 0) return `${head})`;
    const lines = kids.map(([n, m]) => `  (${n}): ${m.toString().split("\n").join("\n  ")}`);
    return `${head}${this.extraRepr() ? "," : ""}\n${lines.join("\n")}\n)`;
  }
}

/** Tells a Module (any layer or model) of another copy of @chainrule/nn (`moduleBrand.reject(x, "what")` throws). */
export const moduleBrand = brandClass(Module, "Module", NN_COPY, "layers, models or their Variables");
