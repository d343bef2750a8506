import {
  isFloat,
  NDArray,
  popRecorder,
  pushRecorder,
  zerosLike,
  type Primitive,
  type Recorder,
} from "@chainrule/ndarray";
import { backward, type TapeNode } from "./backward";
import { flatten, unflatten, type MapTree, type Tree } from "./tree";
import { Variable } from "./variable";

export interface GradientTapeOptions {
  /** Allow several `gradient` calls (the recording is kept until the tape is dropped). */
  persistent?: boolean;
  /** Watch trainable Variables automatically when an op reads them (default true). */
  watchAccessedVariables?: boolean;
}

export interface GradientOptions {
  /** Gradient of the target(s) to start from; ones by default (so a non-scalar target is summed). */
  outputGradients?: NDArray | readonly NDArray[];
  /** What an unconnected source gets: `null` (default, as in TensorFlow) or zeros. */
  unconnectedGradients?: "none" | "zero";
}

/**
 * Records the ops that touch watched arrays while it is active, then differentiates through them.
 * Tapes nest: while an outer tape records, an inner tape's `gradient` computation is itself
 * recorded, which gives second and higher derivatives.
 *
 *   const tape = new GradientTape();
 *   const y = tape.record(() => { tape.watch(x); return x.mul(x); });
 *   tape.gradient(y, x); // 2x
 */
export class GradientTape {
  readonly persistent: boolean;
  readonly watchAccessedVariables: boolean;
  private nodes: TapeNode[] = [];
  private readonly tracked = new Set<NDArray>();
  private active = 0;
  private used = false;
  // The recorder is a separate object so that `record` can be the user-facing method name.
  private readonly recorder: Recorder = { record: (p, i, o, a) => this.onPrimitive(p, i, o, a) };

  constructor(options: GradientTapeOptions = {}) {
    this.persistent = options.persistent ?? false;
    this.watchAccessedVariables = options.watchAccessedVariables ?? true;
  }

  /** Marks arrays as sources: ops that read them are recorded. */
  watch(...arrays: Tree[]): void {
    for (const x of flatten(arrays, "GradientTape.watch")) this.tracked.add(x);
  }

  /** The arrays (and Variables) this tape watches or has produced. */
  watched(): NDArray[] {
    return [...this.tracked];
  }

  /** Runs `fn` with this tape recording and returns its result. */
  record<T>(fn: () => T): T {
    this.start();
    try {
      return fn();
    } finally {
      this.stop();
    }
  }

  /** Starts recording (prefer `record(fn)`, which cannot forget to stop). */
  start(): void {
    if (this.used && !this.persistent) {
      throw new Error(
        "GradientTape: this non-persistent tape was already used by gradient(); create a new tape",
      );
    }
    if (this.active++ === 0) pushRecorder(this.recorder);
  }

  stop(): void {
    if (this.active === 0) return;
    if (--this.active === 0) popRecorder(this.recorder);
  }

  /** Runs `fn` without this tape recording (other active tapes still record). */
  pause<T>(fn: () => T): T {
    const wasActive = this.active > 0;
    if (wasActive) popRecorder(this.recorder);
    try {
      return fn();
    } finally {
      if (wasActive) pushRecorder(this.recorder);
    }
  }

  private onPrimitive(prim: Primitive, inputs: readonly NDArray[], output: NDArray, params: unknown): void {
    let hit = false;
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i]!;
      if (this.tracked.has(x)) hit = true;
      else if (this.watchAccessedVariables && x instanceof Variable && x.trainable) {
        this.tracked.add(x);
        hit = true;
      }
    }
    if (!hit || !isFloat(output.dtype)) return;
    this.nodes.push({ prim, inputs, output, params });
    this.tracked.add(output);
  }

  /**
   * d(target)/d(sources), in the structure of `sources`. A source the target does not depend on
   * gets `null` (or zeros with `unconnectedGradients: "zero"`).
   */
  gradient<S extends Tree>(
    target: NDArray | readonly NDArray[],
    sources: S,
    options: GradientOptions = {},
  ): MapTree<S, NDArray | null> {
    if (this.used && !this.persistent) {
      throw new Error(
        "GradientTape.gradient: a non-persistent tape can only compute gradients once; use new GradientTape({ persistent: true })",
      );
    }
    this.used = true;
    const targets = flatten(target as Tree, "GradientTape.gradient target");
    const seedsIn = options.outputGradients;
    const seeds = seedsIn === undefined ? [] : seedsIn instanceof NDArray ? [seedsIn] : [...seedsIn];
    const srcs = flatten(sources, "GradientTape.gradient sources");
    // Our own backward ops are not recorded here, but outer tapes do record them (higher order).
    // Sources this tape never watched (nor produced) are unconnected, as in TensorFlow.
    const watchedSrcs = srcs.map((x) => (this.tracked.has(x) ? x : undefined));
    const live = watchedSrcs.filter((x): x is NDArray => x !== undefined);
    const liveGrads = this.pause(() => backward(this.nodes, targets, seeds, live));
    let k = 0;
    const grads = watchedSrcs.map((x) => (x === undefined ? undefined : liveGrads[k++]));
    if (!this.persistent) {
      this.nodes = [];
      this.tracked.clear();
    }
    const zero = options.unconnectedGradients === "zero";
    const leaves = grads.map((g, i) => g ?? (zero ? zerosLike(srcs[i]!) : null));
    const result: unknown = sources instanceof NDArray ? leaves[0] : unflatten(sources, leaves);
    return result as MapTree<S, NDArray | null>;
  }

  /** The recorded graph as text, one primitive per line (inputs → output shapes). */
  toString(): string {
    const ids = new Map<NDArray, string>();
    const id = (x: NDArray) => ids.get(x) ?? (ids.set(x, `%${ids.size}`), ids.get(x)!);
    const lines = this.nodes.map((n) => {
      const ins = n.inputs.map((x) => `${id(x)}[${x.shape.join(",")}]`).join(", ");
      return `${id(n.output)}[${n.output.shape.join(",")}] = ${n.prim.name}(${ins})`;
    });
    return `GradientTape(${this.nodes.length} ops${this.persistent ? ", persistent" : ""})\n${lines.join("\n")}`;
  }
}
