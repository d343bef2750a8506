// Long-lived blocks in wasm linear memory (a traced plan's buffers), below the per-call arena: memory is
// [static data | heap blocks … top | arena scratch, reset at every kernel call]. Blocks are only taken and
// freed between kernel calls (JS is single-threaded and kernels never call back), so the arena, which starts
// at `top` on every reset, never overlaps a block.

export const BLOCK_ALIGN = 64;

const PAGE = 65536;

const alignUp = (n: number) => Math.ceil(n / BLOCK_ALIGN) * BLOCK_ALIGN;

/** Grows `memory` so that it spans at least `end` bytes. */
export function ensureBytes(memory: WebAssembly.Memory, end: number): void {
  const size = memory.buffer.byteLength;
  if (end <= size) return;
  try {
    memory.grow(Math.ceil((end - size) / PAGE));
  } catch (cause) {
    throw new RangeError(`@chainrule/backend-wasm: cannot grow wasm memory to ${end} bytes`, { cause });
  }
}

interface Free {
  ptr: number;
  bytes: number;
}

/** First-fit blocks of 64-byte multiples with coalescing; the top block's memory goes back to the arena. */
export class Heap {
  readonly base: number;
  private end: number;
  private readonly live = new Map<number, number>();
  /** Free blocks below `end`, sorted by address, never adjacent (they are merged). */
  private readonly free: Free[] = [];

  constructor(
    private readonly memory: WebAssembly.Memory,
    heapBase: number,
  ) {
    this.base = alignUp(heapBase);
    this.end = this.base;
  }

  /** The end of the highest block: where the arena starts. */
  get top(): number {
    return this.end;
  }

  /** Bytes in live blocks. */
  get liveBytes(): number {
    let sum = 0;
    for (const b of this.live.values()) sum += b;
    return sum;
  }

  /** A block of at least `bytes` (rounded up to 64, so whole v128 tails stay inside it); not zeroed. */
  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, 1));
    const i = this.free.findIndex((f) => f.bytes >= size);
    let ptr: number;
    if (i >= 0) {
      const f = this.free[i]!;
      ptr = f.ptr;
      if (f.bytes === size) this.free.splice(i, 1);
      else {
        f.ptr += size;
        f.bytes -= size;
      }
    } else {
      ptr = this.end;
      ensureBytes(this.memory, ptr + size);
      this.end = ptr + size;
    }
    this.live.set(ptr, size);
    return ptr;
  }

  /** Frees a block taken by `alloc` (a second free of the same block is ignored). */
  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) return;
    this.live.delete(ptr);
    let at = this.free.findIndex((f) => f.ptr > ptr);
    if (at < 0) at = this.free.length;
    const block: Free = { ptr, bytes: size };
    const prev = this.free[at - 1];
    if (prev && prev.ptr + prev.bytes === ptr) {
      prev.bytes += size;
      at--;
    } else this.free.splice(at, 0, block);
    const merged = this.free[at]!;
    const next = this.free[at + 1];
    if (next && merged.ptr + merged.bytes === next.ptr) {
      merged.bytes += next.bytes;
      this.free.splice(at + 1, 1);
    }
    // A free block at the top shrinks the heap: the arena may use it again.
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.bytes === this.end) {
      this.end = last.ptr;
      this.free.pop();
    }
  }

  /** Whether bytes [ptr, ptr + bytes) lie in the heap's range (not in the arena or static data). */
  spans(ptr: number, bytes: number): boolean {
    return ptr >= this.base && ptr + bytes <= this.end;
  }
}
