import type { Variable } from "@chainrule/autograd";
import type { DType, DeviceStorage, TypedArray } from "@chainrule/ndarray";

/** What `cse` found: every node's representative, and each node's inputs as representatives. */
export interface Canonical {
  readonly canon: Int32Array;
  readonly ins: readonly (readonly number[])[];
  /** The representative of the node owning node `i`'s buffer. */
  rootOf(i: number): number;
}

/** What the fetches need (over canonical nodes). */
export interface Liveness {
  /** The updates (train ops) fetched, each once. */
  readonly updateSet: readonly number[];
  /** 1 for nodes fetched or read by an update: their values must exist after the run. */
  readonly usedOutside: Uint8Array;
  readonly live: Uint8Array;
  /** The live nodes reading each node. */
  readonly consumers: readonly (readonly number[])[];
  readonly liveNodes: number;
  readonly liveOps: number;
}

/** Elementwise groups: each keyed by its output node, members sorted in execution order. */
export interface Fusion {
  /** The group (its output node) each node is computed in, or -1. */
  readonly groupOf: Int32Array;
  readonly groups: ReadonlyMap<number, readonly number[]>;
}

/** One step of a run, with the root buffers it reads (for liveness). */
export type Step =
  | { readonly kind: "kernel"; readonly id: number; readonly reads: readonly number[] }
  | {
      readonly kind: "descent";
      readonly id: number;
      readonly reads: readonly number[];
      readonly theta: Variable;
      readonly learningRate: () => number;
    }
  | {
      readonly kind: "fused";
      readonly id: number;
      readonly members: readonly number[];
      readonly ext: readonly number[];
      readonly reads: readonly number[];
    };

/** One planned buffer: host memory or a device backend's storage. */
export interface Slot {
  readonly dtype: DType;
  readonly storage: TypedArray | DeviceStorage;
}
