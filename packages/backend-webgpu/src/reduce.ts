import type { DType, Kernel, NDArray, ReduceOp } from "@chainrule/ndarray";
import { broadcastStrides } from "./elementwise";
import { ISNAN, MAIN_ARGS, THREAD_INDEX, bufferOf, gridFor, wgslType, type Runner } from "./runner";

/**
 * One thread per output element, looping over the reduced elements: meta holds the output size,
 * the rank, the kept shape (reduced axes as 1) and the input's offset and strides, then the reduced
 * count, the reduced axes' sizes and their strides.
 */
function shader(from: DType, to: DType, init: string, step: string, result: string): string {
  return `@group(0) @binding(0) var<storage, read_write> out: array<${wgslType(to)}>;
@group(0) @binding(1) var<storage, read> src: array<${wgslType(from)}>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${ISNAN}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= info[0]) { return; }
  let rank = info[1];
  var base = info[2 + rank];
  var rem = i;
  for (var d = rank - 1; d >= 0; d--) {
    let n = info[2 + d];
    base += (rem % n) * info[3 + rank + d];
    rem = rem / n;
  }
  let r0 = 3 + 2 * rank;
  let nred = info[r0];
  let len = info[r0 + 1];
  ${init}
  for (var j = 0; j < len; j++) {
    var p = base;
    var q = j;
    for (var d = nred - 1; d >= 0; d--) {
      let n = info[r0 + 2 + d];
      p += (q % n) * info[r0 + 2 + nred + d];
      q = q / n;
    }
    let v = src[p];
    ${step}
  }
  out[i] = ${result};
}`;
}

function meta(x: NDArray, axes: readonly number[], outSize: number): Int32Array {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const red = axes.map((a) => x.shape[a]!);
  const len = red.reduce((s, d) => s * d, 1);
  const m = [outSize, x.ndim, ...kept, x.offset, ...broadcastStrides(x, x.shape)];
  m.push(axes.length, len, ...red, ...axes.map((a) => x.strides[a]!));
  return Int32Array.from(m);
}

function reduceSteps(op: ReduceOp, d: DType): { init: string; step: string; result: string } {
  const t = wgslType(d);
  const isF = t === "f32";
  const nan = isF ? " || isnan_(v)" : "";
  const keep = isF ? "if (!isnan_(m)) { m = v; }" : "m = v;";
  switch (op) {
    case "sum":
      return { init: `var m = ${t}(0);`, step: "m += v;", result: d === "uint8" ? "m & 255u" : "m" };
    case "prod":
      return { init: `var m = ${t}(1);`, step: "m *= v;", result: d === "uint8" ? "m & 255u" : "m" };
    case "max":
      return { init: "var m = src[base];", step: `if (v > m${nan}) { ${keep} }`, result: "m" };
    case "min":
      return { init: "var m = src[base];", step: `if (v < m${nan}) { ${keep} }`, result: "m" };
  }
}

export function reduceKernel(runner: Runner, op: ReduceOp): Kernel<ReduceOp> {
  return ([x], { axes }, out) => {
    const buffers = [bufferOf(out, op), bufferOf(x!, op)];
    if (out.size === 0) return;
    const s = reduceSteps(op, x!.dtype);
    const code = shader(x!.dtype, out.dtype, s.init, s.step, s.result);
    runner.dispatch(op, code, buffers, meta(x!, axes, out.size), gridFor(out.size));
  };
}

/** The first index of the best value; a NaN wins at once (as the js kernel). */
export function argKernel(runner: Runner, op: "argmax" | "argmin"): Kernel<"argmax" | "argmin"> {
  return ([x], { axis }, out) => {
    const buffers = [bufferOf(out, op), bufferOf(x!, op)];
    if (out.size === 0) return;
    const cmp = op === "argmax" ? ">" : "<";
    const nan = x!.dtype === "float32" ? " || isnan_(v)" : "";
    const init = "var m = src[base]; var at = 0;";
    const step = `if (j > 0 && !${x!.dtype === "float32" ? "isnan_(m)" : "false"} && (v ${cmp} m${nan})) { m = v; at = j; }`;
    const code = shader(x!.dtype, out.dtype, init, step, "at");
    runner.dispatch(op, code, buffers, meta(x!, [axis], out.size), gridFor(out.size));
  };
}
