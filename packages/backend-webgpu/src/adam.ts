import type {} from "@chainrule/optim"; // the `adamOnDevice` slot of ndarray's FusedKernels
import type { AdamDeviceStep } from "@chainrule/optim";
import { BACKEND_NAME } from "./memory";
import { MAIN_ARGS, THREAD_INDEX, bufferOf, gridFor, type Runner } from "./runner";
import { contiguous } from "./structure";

/**
 * One thread per element, optim's `adamUpdate` in f32 (weight decay coupled or decoupled):
 *   θ' = θ·decay, g' = g + l2·θ, m = β1·m + (1−β1)·g', v = β2·v + (1−β2)·g'², θ = θ' − step·m / (√(v·invBc2) + ε)
 * info: size, grad offset, then the floats (as bits) β1, 1−β1, β2, 1−β2, step, invBc2, ε, decay, l2.
 */
const ADAM = `@group(0) @binding(0) var<storage, read_write> theta: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read> info: array<i32>;
fn f(k: i32) -> f32 { return bitcast<f32>(info[k]); }
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= info[0]) { return; }
  let th = theta[i];
  let gi = g[info[1] + i] + f(10) * th;
  let mi = f(2) * m[i] + f(3) * gi;
  let vi = f(4) * v[i] + f(5) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  theta[i] = th * f(9) - (f(6) * mi) / (sqrt(vi * f(7)) + f(8));
}`;

/** The constants of one update, in the order the shader reads them. */
function adamInfo(size: number, gOffset: number, s: AdamDeviceStep): Int32Array {
  const floats = new Float32Array([
    s.beta1,
    1 - s.beta1,
    s.beta2,
    1 - s.beta2,
    s.lr / (1 - s.beta1 ** s.step),
    1 / (1 - s.beta2 ** s.step),
    s.epsilon,
    s.decoupled ? 1 - s.lr * s.weightDecay : 1,
    s.decoupled ? 0 : s.weightDecay,
  ]);
  const info = new Int32Array(2 + floats.length);
  info.set([size, gOffset]);
  info.set(new Int32Array(floats.buffer), 2);
  return info;
}

/** The fused Adam/AdamW update for float32 parameters on this device: one dispatch per parameter. */
export function adamOnDevice(runner: Runner): (s: AdamDeviceStep) => boolean {
  return (s) => {
    const arrays = [s.param, s.m, s.v, s.grad];
    if (arrays.some((x) => x.dtype !== "float32" || !x.onDevice)) return false;
    if (arrays.some((x) => (x.storage as { backend: string }).backend !== BACKEND_NAME)) return false;
    const n = s.param.size;
    if (n === 0) return true;
    const g = contiguous(runner, s.grad);
    const buffers = [s.param, s.m, s.v].map((x) => bufferOf(x, "Adam")).concat(bufferOf(g, "Adam"));
    runner.dispatch("Adam", ADAM, buffers, adamInfo(n, g.offset, s), gridFor(n));
    return true;
  };
}
