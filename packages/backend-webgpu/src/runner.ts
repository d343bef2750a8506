import { BackendError, type DType, type NDArray } from "@chainrule/ndarray";
import type { Gpu } from "./gpu";
import { USAGE } from "./gpu";
import { float64Error, type GpuStorage } from "./memory";
import { flushIfFull, record, watchScope } from "./batch";

export const WORKGROUP = 64;

/** The WGSL type of a stored element. */
export function wgslType(dtype: DType): "f32" | "i32" | "u32" {
  return dtype === "float32" ? "f32" : dtype === "int32" ? "i32" : "u32";
}

/** The GPU buffer behind an array, or the op's float64 / lost-device error. */
export function bufferOf(x: NDArray, op: string): GPUBuffer {
  const b = (x.storage as GpuStorage).buffer;
  if (x.dtype === "float64" || !b) throw float64Error(op);
  return b;
}

/** Compiles WGSL once per distinct source and records its dispatches into the open batch (batch.ts). */
export class Runner {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  constructor(readonly gpu: Gpu) {}

  private pipeline(op: string, code: string): GPUComputePipeline {
    let p = this.pipelines.get(code);
    if (!p) {
      const { device } = this.gpu;
      device.pushErrorScope("validation");
      const module = device.createShaderModule({ code });
      p = device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" } });
      watchScope(this.gpu, device.popErrorScope(), `${op}: the webgpu kernel failed to compile`);
      this.pipelines.set(code, p);
    }
    return p;
  }

  /**
   * A zeroed buffer of `size` words for a kernel's intermediate results (split-K partial products,
   * per-chunk partial reductions): pass it in `release` of the last dispatch that reads it, which
   * destroys it once that dispatch's batch is submitted.
   */
  scratch(size: number): GPUBuffer {
    return this.gpu.device.createBuffer({ size: Math.max(16, size * 4), usage: USAGE.STORAGE });
  }

  /**
   * Runs `code` over `buffers` (bindings 0…) plus `meta` as the last binding; `release`: scratch
   * buffers to destroy after the submission that carries this dispatch.
   */
  dispatch(
    op: string,
    code: string,
    buffers: GPUBuffer[],
    meta: Int32Array,
    groups: readonly [number, number, number],
    release: readonly GPUBuffer[] = [],
  ): void {
    if (this.gpu.lost) throw new BackendError(this.gpu.lost);
    if (this.gpu.error) throw new BackendError(this.gpu.error);
    const { device } = this.gpu;
    device.pushErrorScope("validation");
    const metaBuf = device.createBuffer({
      size: Math.max(16, meta.byteLength),
      usage: USAGE.STORAGE | USAGE.COPY_DST,
    });
    device.queue.writeBuffer(metaBuf, 0, meta as Int32Array<ArrayBuffer>);
    const pipeline = this.pipeline(op, code);
    const entries = [...buffers, metaBuf].map((buffer, binding) => ({ binding, resource: { buffer } }));
    const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const { encoder, retire } = record(this.gpu, op);
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(...groups);
    pass.end();
    retire(metaBuf);
    for (const b of release) retire(b);
    watchScope(this.gpu, device.popErrorScope(), `${op}: the webgpu kernel was rejected`);
    flushIfFull(this.gpu);
  }
}

/** Workgroups for `n` threads: a 2-D grid, since one dimension stops at 65535 groups. */
export function gridFor(n: number): [number, number, number] {
  const groups = Math.ceil(n / WORKGROUP);
  const x = Math.min(groups, 65535);
  return [x, Math.ceil(groups / x), 1];
}

/** The flat thread index in a `gridFor` grid. */
export const THREAD_INDEX = `let i = i32(gid.x + gid.y * nw.x * ${WORKGROUP}u);`;
export const MAIN_ARGS =
  "@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>";

/** NaN tests on the bits: `x != x` may be folded away by a driver's fast-math (SwiftShader does). */
export const ISNAN = "fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }";
