import type { Gpu } from "./gpu";
import { USAGE } from "./gpu";

/**
 * Kernels and writes are recorded into one command encoder and submitted together when values are
 * read (or the batch grows large), so a training step of many kernels is one queue submission.
 * Writes to existing buffers go through the batch as copies from staging buffers, keeping their order
 * relative to the kernels around them.
 */
interface Batch {
  readonly encoder: GPUCommandEncoder;
  /** Buffers the recorded commands use that are freed once submitted (kernel metadata, staging). */
  readonly retired: GPUBuffer[];
  /** The ops recorded, for the error message if the submission is rejected. */
  readonly ops: Set<string>;
  commands: number;
}

/** Commands per submission at most: bounds the staging memory an unread eager loop holds. */
const MAX_COMMANDS = 1024;

const batches = new WeakMap<Gpu, Batch>();

/** Records the scope's error (if any) for the next read to throw: kernels themselves are synchronous. */
export function watchScope(gpu: Gpu, scope: Promise<GPUError | null>, what: string): void {
  const done: Promise<void> = scope.then(
    (e) => {
      if (e && !gpu.error) gpu.error = `${what}: ${e.message}`;
      gpu.pending.delete(done);
    },
    () => void gpu.pending.delete(done),
  );
  gpu.pending.add(done);
}

/** The open batch's encoder (opening one), for `op` to record into. */
export function record(gpu: Gpu, op: string): { encoder: GPUCommandEncoder; retire(b: GPUBuffer): void } {
  let batch = batches.get(gpu);
  if (!batch) {
    batch = { encoder: gpu.device.createCommandEncoder(), retired: [], ops: new Set(), commands: 0 };
    batches.set(gpu, batch);
  }
  const b = batch;
  b.ops.add(op);
  b.commands++;
  return { encoder: b.encoder, retire: (buf) => void b.retired.push(buf) };
}

/** Submits what `record` added, if the batch is full. Called after each recorded command. */
export function flushIfFull(gpu: Gpu): void {
  if ((batches.get(gpu)?.commands ?? 0) >= MAX_COMMANDS) flush(gpu);
}

/** Submits the open batch, if any: before reads, and before writes that bypass it. */
export function flush(gpu: Gpu): void {
  const batch = batches.get(gpu);
  if (!batch) return;
  batches.delete(gpu);
  const { device } = gpu;
  device.pushErrorScope("validation");
  device.queue.submit([batch.encoder.finish()]);
  for (const b of batch.retired) b.destroy();
  const ops = [...batch.ops].join(", ");
  watchScope(gpu, device.popErrorScope(), `${ops}: the webgpu kernels were rejected`);
}

/** Overwrites `buffer` from byte `offset` with `bytes`, in order with the recorded kernels. */
export function recordWrite(gpu: Gpu, buffer: GPUBuffer, offset: number, bytes: Uint8Array): void {
  const size = Math.ceil(bytes.byteLength / 4) * 4;
  if (size === 0) return;
  const { encoder, retire } = record(gpu, "write");
  const staging = gpu.device.createBuffer({ size, usage: USAGE.COPY_SRC, mappedAtCreation: true });
  new Uint8Array(staging.getMappedRange()).set(bytes);
  staging.unmap();
  encoder.copyBufferToBuffer(staging, 0, buffer, offset, size);
  retire(staging);
  flushIfFull(gpu);
}
