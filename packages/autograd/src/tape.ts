import {
  isFloat,
  NDArray,
  popRecorder,
  pushRecorder,
  tidy,
  zerosLike,
  type Primitive,
  type Recorder,
} from "@chainrule/ndarray";
import { backward, UNTRACKED, type TapeNode, type TrackId } from "./backward";
import { listTape } from "./listing";
import { flatten, unflatten, type MapTree, type Tree } from "./tree";
import { Variable } from "./variable";
import { variableBrand } from "./copy";

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
function untrackedParents(n: number): TrackId[] {
  if (n === 1) return [UNTRACKED];
  if (n === 2) return [UNTRACKED, UNTRACKED];
  return new Array<TrackId>(n).fill(UNTRACKED);
}

export class GradientTape {
  readonly persistent: boolean;
  readonly watchAccessedVariables: boolean;
  private nodes: TapeNode[] = [];
  private leafCount = 0;
  /** Every array this tape tracks: watched leaves and outputs of recorded nodes. */
  private readonly tracked = new Map<NDArray, TrackId>();
  private active = 0;
  private used = false;
  // The recorder is a separate object so that `record` can be the user-facing method name. It is `scoped`:
  // a tidy scope around the tape may release what it recorded once it stops recording.
  private readonly recorder: Recorder = {
    record: (p, i, o, a) => this.onPrimitive(p, i, o, a),
    scoped: true,
  };

  constructor(options: GradientTapeOptions = {}) {
    this.persistent = options.persistent ?? false;
    this.watchAccessedVariables = options.watchAccessedVariables ?? true;
  }

  /** Marks arrays as sources: ops that read them are recorded. */
  watch(...arrays: Tree[]): void {
    for (const x of flatten(arrays, "GradientTape.watch")) {
      if (!this.tracked.has(x)) this.tracked.set(x, -++this.leafCount);
    }
  }

  /** The arrays (and Variables) this tape watches or has produced. */
  watched(): NDArray[] {
    return [...this.tracked.keys()];
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
    let parents: TrackId[] | undefined;
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i]!;
      let id = this.tracked.get(x);
      if (id === undefined && this.watchAccessedVariables && x instanceof Variable && x.trainable) {
        id = -++this.leafCount;
        this.tracked.set(x, id);
      } else if (id === undefined && this.watchAccessedVariables) {
        // A Variable of another copy would silently get no gradient.
        variableBrand.reject(x, `GradientTape (recording ${prim.name})`);
      }
      if (id !== undefined) {
        parents ??= untrackedParents(inputs.length);
        parents[i] = id;
      }
    }
    if (parents === undefined || !isFloat(output.dtype)) return;
    this.tracked.set(output, this.nodes.length);
    this.nodes.push({ prim, inputs, parents, output, params });
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
    const targetArrays = flatten(target as Tree, "GradientTape.gradient target");
    const seedsIn = options.outputGradients;
    const seeds = seedsIn === undefined ? [] : seedsIn instanceof NDArray ? [seedsIn] : [...seedsIn];
    const targets = targetArrays.flatMap((array, i) => {
      const id = this.tracked.get(array);
      return id === undefined ? [] : [{ id, array, seed: seeds[i] }];
    });
    const srcs = flatten(sources, "GradientTape.gradient sources");
    // Sources this tape never watched (nor produced) are unconnected, as in TensorFlow.
    const ids = srcs.map((x) => this.tracked.get(x));
    const live = ids.filter((id): id is TrackId => id !== undefined);
    // Our own backward ops are not recorded here, but outer tapes do record them (higher order). The
    // backward pass's temporaries go back to the pool at once (tidy keeps them while an outer tape records).
    const liveGrads = this.pause(() => tidy(() => backward(this.nodes, this.leafCount, targets, live)));
    let k = 0;
    const grads = ids.map((id) => (id === undefined ? undefined : liveGrads[k++]));
    if (!this.persistent) {
      this.nodes = [];
      this.tracked.clear();
    }
    const zero = options.unconnectedGradients === "zero";
    const leaves = grads.map((g, i) => g ?? (zero ? zerosLike(srcs[i]!) : null));
    const result: unknown = sources instanceof NDArray ? leaves[0] : unflatten(sources, leaves);
    return result as MapTree<S, NDArray | null>;
  }

  /** The recorded graph as text, one primitive per line with dtypes and shapes, as `@chainrule/graph` lists them. */
  toString(): string {
    return listTape(this.nodes, this.persistent);
  }
}
