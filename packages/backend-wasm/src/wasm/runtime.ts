// One wasm instance per JS realm, created lazily. Where SharedArrayBuffer is available
// the instance runs on a shared memory, so worker threads (src/threads) can later join
// the same memory without copying; elsewhere it falls back to a private memory.
import { KERNELS_RELAXED_SHARED_WASM, KERNELS_SHARED_WASM, KERNELS_WASM } from "../generated/kernels.wasm";
import { decodeBase64 } from "./base64";
import type { KernelExports } from "./exports";
import { ensureBytes, Heap } from "./heap";

// Shared memories need a maximum up front; wasm32 pointers here are signed-safe below 2 GiB.
const MAX_PAGES = 32768;
const FALLBACK_MAX_PAGES = 8192;

export interface Runtime {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
  readonly shared: boolean;
  readonly relaxed: boolean;
  readonly heapBase: number;
  /** Long-lived blocks (resident buffers) between static data and the arena. */
  readonly heap: Heap;
}

let current: Runtime | undefined;
// The relaxed build is preferred wherever the engine validates it (initBackend can opt out).
let wantRelaxed = true;

function sharedMemoryOrNull(): WebAssembly.Memory | null {
  if (typeof SharedArrayBuffer === "undefined") return null;
  // Browsers expose SharedArrayBuffer only to cross-origin isolated pages.
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (g.crossOriginIsolated === false) return null;
  for (const maximum of [MAX_PAGES, FALLBACK_MAX_PAGES]) {
    try {
      return new WebAssembly.Memory({ initial: 1, maximum, shared: true });
    } catch {
      // reservation failed (small address space); try smaller, then give up
    }
  }
  return null;
}

interface Choice {
  bytes: Uint8Array<ArrayBuffer>;
  memory: WebAssembly.Memory;
  shared: boolean;
  relaxed: boolean;
}

function choose(): Choice {
  const memory = sharedMemoryOrNull();
  if (!memory) {
    const privateMemory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });
    return { bytes: decodeBase64(KERNELS_WASM), memory: privateMemory, shared: false, relaxed: false };
  }
  if (wantRelaxed) {
    const bytes = decodeBase64(KERNELS_RELAXED_SHARED_WASM);
    if (WebAssembly.validate(bytes)) return { bytes, memory, shared: true, relaxed: true };
  }
  return { bytes: decodeBase64(KERNELS_SHARED_WASM), memory, shared: true, relaxed: false };
}

function instantiate(module: WebAssembly.Module, c: Choice): Runtime {
  const instance = new WebAssembly.Instance(module, { env: { memory: c.memory } });
  const exports = instance.exports as unknown as KernelExports;
  const heapBase = exports.heapBase();
  return {
    module,
    memory: c.memory,
    exports,
    shared: c.shared,
    relaxed: c.relaxed,
    heapBase,
    heap: new Heap(c.memory, heapBase),
  };
}

/** The runtime, compiled synchronously on first use (fine in Node and workers; small enough for browsers). */
export function runtime(): Runtime {
  if (!current) {
    const c = choose();
    current = instantiate(new WebAssembly.Module(c.bytes), c);
  }
  return current;
}

/**
 * Compiles asynchronously (for browser main threads). With `relaxed`, prefers the
 * relaxed-SIMD build when this engine validates it; an existing runtime of the other
 * kind must be dropped first (see lifecycle.ts).
 */
export async function initRuntime(relaxed: boolean): Promise<Runtime> {
  wantRelaxed = relaxed;
  if (current) return current;
  const c = choose();
  const module = await WebAssembly.compile(c.bytes);
  current ??= instantiate(module, c);
  return current;
}

/** Whether this engine accepts the relaxed-SIMD build as is (Node 20 needs a V8 flag). */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(decodeBase64(KERNELS_RELAXED_SHARED_WASM));
}

/** The runtime in use, if one was created. */
export function currentRuntime(): Runtime | undefined {
  return current;
}

/** Drops the instance so its memory can be garbage-collected; the next kernel call recreates it. */
export function dropRuntime(): void {
  current = undefined;
}

/**
 * Per-call bump allocator over the instance's linear memory, above the heap's blocks.
 * Every public kernel starts with `reset()`, so scratch never accumulates; the
 * memory only grows to the high-water mark of the heap plus the largest call.
 */
export class Arena {
  private top: number;

  constructor(readonly rt: Runtime) {
    this.top = rt.heap.top;
  }

  reset(): this {
    this.top = this.rt.heap.top;
    return this;
  }

  /** Reserves bytes (64-byte aligned, so v128 rows never straddle cache lines) and grows memory if needed. */
  alloc(bytes: number): number {
    const ptr = (this.top + 63) & ~63;
    const end = ptr + bytes;
    ensureBytes(this.rt.memory, end);
    this.top = end;
    return ptr;
  }
}

let arena: Arena | undefined;

/** The shared arena of the current runtime, reset for a new kernel call. */
export function freshArena(): Arena {
  const rt = runtime();
  if (!arena || arena.rt !== rt) arena = new Arena(rt);
  return arena.reset();
}
