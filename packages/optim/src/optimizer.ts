import { GradientTape, noGrad, Variable, variableBrand } from "@chainrule/autograd";
import {
  isFloat,
  NDArray,
  formatShape,
  fromTypedArray,
  full,
  tidy,
  type DeviceStorage,
  type TypedArray,
} from "@chainrule/ndarray";
import { clipOnDevice, clipScale, globalNorm } from "./clip";
import { resolveLr, type LearningRate } from "./schedules";
import { exportState, importState, newSlot, type FloatSlot, type OptimizerState } from "./state";

export interface OptimizerOptions {
  /** A number, or a schedule called with the update number t (1 for the first update). */
  lr?: LearningRate;
  /** Rescale each step's gradients together so that their global L2 norm is at most this. */
  clipNorm?: number;
  /** Clamp each gradient element to [−clipValue, clipValue] (after `clipNorm`, when both are set). */
  clipValue?: number;
}

/** A learning rate must be a finite number ≥ 0 (as in PyTorch): NaN or a negative rate would diverge silently. */
function checkLr(name: string, lr: number, what: string): number {
  if (typeof lr !== "number" || !Number.isFinite(lr) || lr < 0)
    throw new RangeError(`${name}: ${what} must be a finite number >= 0, got ${String(lr)}`);
  return lr;
}

/** One gradient per parameter, in the optimizer's parameter order; null/undefined skips the parameter. */
export type Gradients = readonly (NDArray | null | undefined)[];

/** The optimizer's hyperparameters besides the learning rate (numbers and flags, all serializable). */
export type Hyperparameters = Record<string, number | boolean>;

/**
 * Base of every optimizer. It owns the bookkeeping (gradient checks, clipping, step counters, state
 * save/restore); a subclass only says which per-parameter slots it keeps and how one parameter is
 * updated, in plain typed-array loops that write into the Variable's buffer.
 *
 * Counting: `iterations` is the number of `step` calls done; the update being made is number
 * t = iterations + 1, which is what a schedule receives. Each parameter also counts its own updates (a
 * null gradient skips the parameter and its count), and bias corrections use that count, as in PyTorch.
 */
export abstract class Optimizer<H extends Hyperparameters = Hyperparameters> {
  readonly params: readonly Variable[];
  lr: LearningRate;
  clipNorm: number | undefined;
  clipValue: number | undefined;
  /** Hyperparameters, mutable between steps (`opt.hyper.beta1 = 0.95`); saved by `stateDict`. */
  readonly hyper: H;
  /**
   * Per-slot, per-parameter state (momentum, m, v…), aligned with `params`, in the parameter's dtype as
   * in PyTorch: float32 moments for float32 weights (half the memory traffic), float64 for float64.
   */
  protected readonly slots: Record<string, FloatSlot[]>;
  /** Updates each parameter has received (its own t). */
  protected readonly paramSteps: number[];
  private t = 0;
  private readonly index = new Map<Variable, number>();
  private readonly scratch: (Float64Array | undefined)[] = [];
  /** Per-slot state of device-resident parameters, on their device. */
  private readonly deviceSlots: Record<string, (Variable | undefined)[]> = {};
  /** The value a slot starts at (0 unless set here, e.g. Adagrad's initial accumulator). */
  protected readonly slotFill: Record<string, number> = {};

  protected constructor(
    readonly name: string,
    params: readonly Variable[],
    options: OptimizerOptions,
    defaultLr: number | undefined,
    hyper: H,
    slotNames: readonly string[],
  ) {
    params.forEach((p, i) => {
      variableBrand.reject(p, `${name}: parameter #${i}`);
      if (!(p instanceof Variable)) throw new TypeError(`${name}: parameter #${i} is not a Variable`);
      if (!isFloat(p.dtype))
        throw new TypeError(
          `${name}: parameter '${p.name}' (#${i}) has dtype ${p.dtype}; it must be a float`,
        );
      if (this.index.has(p)) throw new Error(`${name}: parameter '${p.name}' (#${i}) is listed twice`);
      // Updates write straight into the buffer: Variables own a contiguous one starting at 0.
      if (p.offset !== 0 || p.storage.length !== p.size || !p.isContiguous)
        throw new Error(`${name}: parameter '${p.name}' (#${i}) does not own a contiguous buffer`);
      this.index.set(p, i);
    });
    const lr = options.lr ?? defaultLr;
    if (lr === undefined) throw new TypeError(`${name}: options.lr is required`);
    if (typeof lr === "number") checkLr(name, lr, "options.lr");
    else if (typeof lr !== "function")
      throw new TypeError(`${name}: options.lr must be a number or a schedule function, got ${typeof lr}`);
    this.params = [...params];
    this.lr = lr;
    this.clipNorm = options.clipNorm;
    this.clipValue = options.clipValue;
    this.hyper = hyper;
    // Device-resident parameters keep their state on the device (`deviceSlot`): no host copy here.
    this.slots = Object.fromEntries(
      slotNames.map((s) => [s, this.params.map((p) => newSlot(p.dtype, p.onDevice ? 0 : p.size))] as const),
    );
    this.paramSteps = this.params.map(() => 0);
  }

  /** Updates one parameter in place: `theta` is its buffer, `g` its (clipped) gradient, `t` its own count. */
  protected abstract update(i: number, theta: TypedArray, g: ArrayLike<number>, lr: number, t: number): void;

  /**
   * Updates a parameter that lives on a device backend (WebGPU), in place there: `g` is its gradient as an
   * array (every built-in optimizer has one: a backend's fused kernel, else array ops). An optimizer
   * written without one says so.
   */
  protected updateOnDevice(i: number, _g: NDArray, _lr: number, _t: number): void {
    const p = this.params[i]!;
    throw new Error(
      `${this.name}: parameter '${p.name}' lives on the '${(p.storage as DeviceStorage).backend}' backend, ` +
        `where ${this.name} has no update (override updateOnDevice); use a CPU backend for ${this.name}`,
    );
  }

  /** A slot of a device-resident parameter: a Variable on its device (at `slotFill`, or 0), made on first use. */
  protected deviceSlot(slot: string, i: number): Variable {
    const slots = (this.deviceSlots[slot] ??= []);
    const p = this.params[i]!;
    return (slots[i] ??= new Variable(full(p.shape, this.slotFill[slot] ?? 0, p.dtype), {
      name: `${p.name}/${slot}`,
      trainable: false,
    }));
  }

  /** The number of `step` calls done (Keras' `optimizer.iterations`). */
  get iterations(): number {
    return this.t;
  }

  /** The learning rate the next update will use. */
  get learningRate(): number {
    return resolveLr(this.lr, this.t + 1);
  }

  /**
   * PyTorch style: applies one update from gradients aligned with `params` (null entries are skipped).
   * Every gradient is checked before any parameter changes.
   */
  step(grads: Gradients): void {
    const { params } = this;
    if (grads.length !== params.length)
      throw new Error(
        `${this.name}.step: got ${grads.length} gradients for ${params.length} parameters ` +
          `(pass null for a parameter that has no gradient)`,
      );
    for (let i = 0; i < params.length; i++) {
      const g = grads[i];
      if (g === null || g === undefined) continue;
      const p = params[i]!;
      if (!(g instanceof NDArray)) throw new TypeError(`${this.name}.step: gradient #${i} is not an NDArray`);
      if (g.shape.length !== p.shape.length || g.shape.some((d, k) => d !== p.shape[k]))
        throw new Error(
          `${this.name}.step: the gradient for parameter '${p.name}' (#${i}) has shape ${formatShape(g.shape)}, ` +
            `the parameter has shape ${formatShape(p.shape)}`,
        );
    }
    const t = this.t + 1;
    const lr = checkLr(this.name, resolveLr(this.lr, t), `the learning rate for update ${t}`);
    // The update's temporaries (clipped gradients, device updates) go back to the pool when it is done.
    tidy(() => this.applyUpdates(grads, lr));
    this.t = t;
  }

  private applyUpdates(grads: Gradients, lr: number): void {
    const { params } = this;
    const device = params.some((p) => p.onDevice);
    // On a device the norm stays there: the clipped gradients are array ops, nothing is read back.
    const deviceGrads = device ? noGrad(() => clipOnDevice(grads, this.clipNorm, this.clipValue)) : grads;
    const scale = device || this.clipNorm === undefined ? 1 : clipScale(globalNorm(grads), this.clipNorm);
    // The loops below record nothing anyway; noGrad keeps any array op a subclass adds off the tapes.
    noGrad(() => {
      for (let i = 0; i < params.length; i++) {
        const g = grads[i];
        if (g === null || g === undefined) continue;
        if (params[i]!.onDevice) {
          this.updateOnDevice(i, deviceGrads[i]!, lr, ++this.paramSteps[i]!);
          continue;
        }
        const data =
          scale !== 1 || this.clipValue !== undefined ? this.clipped(i, g.dataSync(), scale) : g.dataSync();
        this.update(i, params[i]!.buffer, data, lr, ++this.paramSteps[i]!);
      }
    });
  }

  /** TensorFlow style: `applyGradients([[grad, variable], …])`, any subset of the parameters, any order. */
  applyGradients(pairs: Iterable<readonly [NDArray | null | undefined, Variable]>): void {
    const aligned: (NDArray | null)[] = this.params.map(() => null);
    const seen = new Set<number>();
    for (const [g, v] of pairs) {
      const i = this.indexOf(v, "applyGradients");
      if (seen.has(i)) throw new Error(`${this.name}.applyGradients: Variable '${v.name}' appears twice`);
      seen.add(i);
      aligned[i] = g ?? null;
    }
    this.step(aligned);
  }

  /**
   * Records `lossFn` on a GradientTape, differentiates it with respect to `vars` (the trainable
   * parameters by default), applies one update, and returns the loss (computed before the update).
   */
  minimize(
    lossFn: () => NDArray,
    vars: readonly Variable[] = this.params.filter((p) => p.trainable),
  ): NDArray {
    const at = vars.map((v) => this.indexOf(v, "minimize"));
    const tape = new GradientTape();
    const loss = tape.record(() => {
      tape.watch(...vars);
      return lossFn();
    });
    if (!(loss instanceof NDArray))
      throw new TypeError(`${this.name}.minimize: lossFn must return an NDArray`);
    // The gradients are released once applied. The forward pass's arrays are not: lossFn's code may keep
    // some (logits for an accuracy); wrap the call in tidy() to release them too.
    tidy(() => {
      const grads = tape.gradient(loss, vars as Variable[]) as (NDArray | null)[];
      const aligned: (NDArray | null)[] = this.params.map(() => null);
      at.forEach((i, k) => (aligned[i] = grads[k]!));
      this.step(aligned);
    });
    return loss;
  }

  /**
   * A snapshot of the optimizer's state (copies): counters, slots keyed by parameter name (or index when
   * names repeat), and hyperparameters. `loadStateDict` on a fresh optimizer over the same parameters
   * continues training bit for bit. The slots of device-resident parameters are copied on their device
   * (nothing is read back): `await stateToHost(state)` reads them, e.g. for `stateToJSON`.
   */
  stateDict(): OptimizerState {
    const hyper: Record<string, number | boolean> = { ...this.hyper };
    if (typeof this.lr === "number") hyper.lr = this.lr;
    if (this.clipNorm !== undefined) hyper.clipNorm = this.clipNorm;
    if (this.clipValue !== undefined) hyper.clipValue = this.clipValue;
    const slotOf = (s: string, i: number) => {
      const p = this.params[i]!;
      if (p.onDevice) return this.deviceSlot(s, i).read();
      return fromTypedArray(this.slots[s]![i]!.slice(), p.shape);
    };
    return exportState(this.params, this.t, this.paramSteps, Object.keys(this.slots), slotOf, hyper);
  }

  /**
   * Restores a `stateDict()`; checks every slot's presence and shape first and throws before changing anything.
   * Slots of device-resident parameters may come from the host (a file) or from their device.
   */
  loadStateDict(state: OptimizerState): void {
    const write = (s: string, i: number, value: NDArray) => {
      const p = this.params[i]!;
      if (!p.onDevice) return void this.slots[s]![i]!.set(value.dataSync());
      if (value.onDevice) return void this.deviceSlot(s, i).assign(value);
      // A host value (float64 from JSON) is converted on the host: WebGPU has no float64 to cast from.
      const host = newSlot(p.dtype, p.size);
      host.set(value.dataSync());
      this.deviceSlot(s, i).assign(fromTypedArray(host, p.shape));
    };
    const { step, hyper } = importState(
      this.name,
      state,
      this.params,
      this.paramSteps,
      Object.keys(this.slots),
      write,
      [...Object.keys(this.hyper), "lr", "clipNorm", "clipValue"],
    );
    this.t = step;
    for (const [k, v] of Object.entries(hyper)) {
      if (k === "lr") {
        if (typeof this.lr === "number") this.lr = v as number;
      } else if (k === "clipNorm") this.clipNorm = v as number;
      else if (k === "clipValue") this.clipValue = v as number;
      else (this.hyper as Hyperparameters)[k] = v;
    }
  }

  private indexOf(v: Variable, method: string): number {
    const i = this.index.get(v);
    if (i === undefined)
      throw new Error(
        `${this.name}.${method}: Variable '${v.name}' is not one of this optimizer's parameters`,
      );
    return i;
  }

  /** The gradient scaled by `scale` and clamped by `clipValue`, in a per-parameter scratch buffer. */
  private clipped(i: number, g: ArrayLike<number>, scale: number): Float64Array {
    const out = (this.scratch[i] ??= new Float64Array(g.length));
    const c = this.clipValue ?? Infinity;
    for (let k = 0; k < g.length; k++) out[k] = Math.min(c, Math.max(-c, g[k]! * scale));
    return out;
  }
}
