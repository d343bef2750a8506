import type {} from "@chainrule/optim"; // the optimizer slots of ndarray's FusedKernels
import type { AdagradDeviceStep, RmspropDeviceStep, SgdDeviceStep } from "@chainrule/optim";
import { NDArray, type FusedKernels } from "@chainrule/ndarray";
import { copyKernel } from "./elementwise";
import { BACKEND_NAME, gpuStorage } from "./memory";
import { MAIN_ARGS, THREAD_INDEX, bufferOf, gridFor, type Runner } from "./runner";
import { contiguous } from "./structure";

// SGD, RMSProp and Adagrad on device-resident float32 parameters: one shader per parameter update, each
// thread one element, θ and the slots read and written once (optim's array-op fallback takes several
// kernels and temporaries). Each is optim's reference loop (`sgdUpdate`, `rmspropUpdate`,
// `adagradUpdate`) in f32; which slots exist is part of the shader, the numbers are in `info`.

/**
 * The shader of one update: θ, then the named slots (read_write), the gradient, `info`.
 * info: size, gradient offset, then the floats as bits, read with f(k). `body` sees th, gr and i.
 */
function updateShader(slots: readonly string[], body: string): string {
  const bind = (name: string, k: number, access: string) =>
    `@group(0) @binding(${k}) var<storage, ${access}> ${name}: array<${name === "info" ? "i32" : "f32"}>;`;
  const names = ["theta", ...slots];
  return `${names.map((n, k) => bind(n, k, "read_write")).join("\n")}
${bind("g", names.length, "read")}
${bind("info", names.length + 1, "read")}
fn f(k: i32) -> f32 { return bitcast<f32>(info[2 + k]); }
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= info[0]) { return; }
  let th = theta[i];
  let gr = g[info[1] + i];
  ${body}
}`;
}

const onThisDevice = (x: NDArray) =>
  x.dtype === "float32" && x.onDevice && (x.storage as { backend: string }).backend === BACKEND_NAME;

/**
 * Runs one update: declines (false) unless every array is float32 on this device. The gradient is made
 * contiguous, and copied when it shares a buffer with θ or a slot (a shader may not bind one buffer twice).
 */
function dispatchUpdate(
  runner: Runner,
  op: string,
  code: string,
  param: NDArray,
  slots: readonly NDArray[],
  grad: NDArray,
  floats: readonly number[],
): boolean {
  const arrays = [param, ...slots, grad];
  if (!arrays.every(onThisDevice)) return false;
  const n = param.size;
  if (n === 0) return true;
  const aliased = [param, ...slots].some((x) => x.storage === grad.storage);
  const g = aliased ? copyOf(runner, grad) : contiguous(runner, grad);
  const own = [param, ...slots].map((x) => bufferOf(x, op));
  const info = new Int32Array(2 + floats.length);
  info.set([n, g.offset]);
  info.set(new Int32Array(new Float32Array(floats).buffer), 2);
  runner.dispatch(op, code, [...own, bufferOf(g, op)], info, gridFor(n));
  return true;
}

/** A contiguous copy of `x` in a buffer of its own. */
function copyOf(runner: Runner, x: NDArray): NDArray {
  const out = new NDArray(gpuStorage(runner.gpu.device, x.dtype, x.size), x.shape, x.dtype);
  copyKernel(runner)([x], {}, out);
  return out;
}

/** sgdUpdate: d = g + λθ; b = d (first update) or μb + (1 − τ)d; d = d + μb (Nesterov) or b; θ −= lr·d. */
function sgdShader(momentum: boolean, nesterov: boolean): string {
  const withMomentum = `let b = select(f(2) * buf[i] + f(3) * d, d, f(4) != 0.0);
  buf[i] = b;
  ${nesterov ? "d = d + f(2) * b;" : "d = b;"}`;
  return updateShader(
    momentum ? ["buf"] : [],
    `var d = gr + f(1) * th;
  ${momentum ? withMomentum : ""}
  theta[i] = th - f(0) * d;`,
  );
}

/** rmspropUpdate: v = ρv + (1−ρ)g²; centered: a = ρa + (1−ρ)g, v' = v − a²; d = g/(√v' + ε); momentum b = μb + d. */
function rmspropShader(centered: boolean, momentum: boolean): string {
  const slots = ["v", ...(centered ? ["ga"] : []), ...(momentum ? ["buf"] : [])];
  return updateShader(
    slots,
    `let gi = gr + f(1) * th;
  let vi = f(2) * v[i] + f(3) * gi * gi;
  v[i] = vi;
  var sq = vi;
  ${centered ? "let a = f(2) * ga[i] + f(3) * gi;\n  ga[i] = a;\n  sq = vi - a * a;" : ""}
  let d = gi / (sqrt(sq) + f(4));
  ${momentum ? "let b = f(5) * buf[i] + d;\n  buf[i] = b;\n  theta[i] = th - f(0) * b;" : "theta[i] = th - f(0) * d;"}`,
  );
}

/** adagradUpdate: g = g + λθ; s = s + g²; θ −= lr·g/(√s + ε). */
const ADAGRAD = updateShader(
  ["sum"],
  `let gi = gr + f(1) * th;
  let s = sum[i] + gi * gi;
  sum[i] = s;
  theta[i] = th - (f(0) * gi) / (sqrt(s) + f(2));`,
);

function sgdOnDevice(runner: Runner): (s: SgdDeviceStep) => boolean {
  return (s) => {
    const momentum = s.buf !== undefined && s.momentum !== 0;
    const code = sgdShader(momentum, momentum && s.nesterov);
    const floats = [s.lr, s.weightDecay, s.momentum, 1 - s.dampening, s.first ? 1 : 0];
    return dispatchUpdate(runner, "SGD", code, s.param, momentum ? [s.buf!] : [], s.grad, floats);
  };
}

function rmspropOnDevice(runner: Runner): (s: RmspropDeviceStep) => boolean {
  return (s) => {
    const momentum = s.buf !== undefined && s.momentum > 0;
    const slots = [s.v, ...(s.gradAvg ? [s.gradAvg] : []), ...(momentum ? [s.buf!] : [])];
    const floats = [s.lr, s.weightDecay, s.rho, 1 - s.rho, s.epsilon, s.momentum];
    const code = rmspropShader(s.gradAvg !== undefined, momentum);
    return dispatchUpdate(runner, "RMSProp", code, s.param, slots, s.grad, floats);
  };
}

function adagradOnDevice(runner: Runner): (s: AdagradDeviceStep) => boolean {
  return (s) =>
    dispatchUpdate(runner, "Adagrad", ADAGRAD, s.param, [s.sum], s.grad, [s.lr, s.weightDecay, s.epsilon]);
}

/** The fused SGD, RMSProp and Adagrad updates (optim's `fused.*OnDevice` slots) for this device. */
export function optimizerKernels(
  runner: Runner,
): Pick<FusedKernels, "sgdOnDevice" | "rmspropOnDevice" | "adagradOnDevice"> {
  return {
    sgdOnDevice: sgdOnDevice(runner),
    rmspropOnDevice: rmspropOnDevice(runner),
    adagradOnDevice: adagradOnDevice(runner),
  };
}
