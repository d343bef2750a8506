import type { DType, DeviceStorage, TypedArray } from "@chainrule/ndarray";
import type { GraphNode } from "../graph";
import type { Canonical, Liveness, Slot, Step } from "./types";

/** Fresh zeroed memory for `size` elements: host typed arrays, or a device backend's storage. */
export type Allocator = (dtype: DType, size: number) => TypedArray | DeviceStorage;

/** One planned buffer with the allocator it came from (plan-internal or handed out). */
interface PooledSlot extends Slot {
  readonly escapes: boolean;
}

/** Buffers reused by liveness: a buffer goes back to the pool once its last reader has run. */
class Pool {
  readonly slots: PooledSlot[] = [];
  private readonly free: PooledSlot[] = [];

  constructor(
    private readonly allocate: Allocator,
    private readonly allocateEscaping: Allocator | undefined,
  ) {}

  /** The smallest free slot that fits (of the same kind), or a new one. */
  take(dtype: DType, size: number, escapes: boolean): Slot {
    const kind = escapes && this.allocateEscaping !== undefined;
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const s = this.free[i]!;
      if (s.dtype !== dtype || s.escapes !== kind || s.storage.length < size) continue;
      if (best < 0 || s.storage.length < this.free[best]!.storage.length) best = i;
    }
    if (best >= 0) return this.free.splice(best, 1)[0]!;
    const storage = (kind ? this.allocateEscaping! : this.allocate)(dtype, size);
    const slot = { dtype, storage, escapes: kind };
    this.slots.push(slot);
    return slot;
  }

  give(s: Slot): void {
    this.free.push(s as PooledSlot);
  }
}

/** How buffers are made: the plan's own, and (where they differ) those of values it hands out. */
export interface Allocators {
  readonly allocate: Allocator;
  readonly allocateEscaping?: Allocator;
}

/** The planned buffers: every slot, and the slot each step writes. */
export interface Buffers {
  readonly slots: readonly Slot[];
  readonly slotOf: ReadonlyMap<number, Slot>;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Assigns each step's output a buffer, reusing those whose last reader has run. Roots whose value
 * must outlive the run (fetched, or read by an update) are pinned and never reused; the roots of
 * fetched values (`escaping`) take `allocateEscaping`'s buffers where the memory has one.
 */
export function assignBuffers(
  nodes: readonly GraphNode[],
  c: Canonical,
  l: Liveness,
  steps: readonly Step[],
  memory: Allocators,
  escaping: ReadonlySet<number>,
): Buffers {
  const lastUse = new Int32Array(nodes.length).fill(-1);
  steps.forEach((s, k) => {
    for (const r of s.reads) lastUse[r] = k;
  });
  const pinned = new Uint8Array(nodes.length);
  l.usedOutside.forEach((used, id) => {
    if (used) pinned[c.rootOf(id)] = 1;
  });
  const pool = new Pool(memory.allocate, memory.allocateEscaping);
  const slotOf = new Map<number, Slot>();
  steps.forEach((s, k) => {
    const n = nodes[s.id]!;
    if (s.kind !== "descent") slotOf.set(s.id, pool.take(n.dtype, sizeOf(n.shape), escaping.has(s.id)));
    for (const r of new Set(s.reads)) {
      if (lastUse[r] === k && !pinned[r] && slotOf.has(r)) pool.give(slotOf.get(r)!);
    }
  });
  return { slots: pool.slots, slotOf };
}
