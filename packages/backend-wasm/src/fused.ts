// Fused training kernels: one pass over memory instead of several elementwise calls.
import { type FloatArray, allocLike, sameDtype } from "./dtype";
import { ACTIVATIONS, type Activation, opcode } from "./opcodes";
import { freshArena } from "./wasm/runtime";
import { placeInput, placeOutput, range, type Target } from "./wasm/resident";

/** out[r, c] = act(x[r, c] + bias[c]) with x viewed as [x.length / bias.length, bias.length]. */
export function biasAct<T extends FloatArray>(x: T, bias: T, act: Activation = "none", out?: T): T {
  const code = opcode(ACTIVATIONS, act, "activation");
  const y = out ?? allocLike(x, x.length);
  const dtype = sameDtype({ x, bias, out: y });
  const cols = bias.length;
  if (cols === 0 ? x.length !== 0 : x.length % cols !== 0) {
    throw new RangeError(`x (length ${x.length}) is not a whole number of rows of bias (length ${cols})`);
  }
  if (y.length !== x.length) throw new RangeError(`out must have length ${x.length}, got ${y.length}`);
  const rows = cols === 0 ? 0 : x.length / cols;
  const arena = freshArena();
  const px = placeInput(arena, x);
  const pb = placeInput(arena, bias);
  const py = placeOutput(arena, y, 0, y.length, { reads: [range(x, px, x.length), range(bias, pb, cols)] });
  const ex = arena.rt.exports;
  (dtype === "float32" ? ex.biasActF32 : ex.biasActF64)(px, pb, py.ptr, rows, cols, code);
  py.finish();
  return y;
}

/**
 * One Adam step in place (Kingma & Ba 2015, Algorithm 1), `step` counting from 1:
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   param ← param − lr · (m / (1−β1^step)) / (sqrt(v / (1−β2^step)) + eps)
 */
export function adamUpdate<T extends FloatArray>(
  param: T,
  grad: T,
  m: T,
  v: T,
  lr: number,
  beta1 = 0.9,
  beta2 = 0.999,
  eps = 1e-8,
  step = 1,
): void {
  const dtype = sameDtype({ param, grad, m, v });
  const n = param.length;
  for (const [name, x] of [
    ["grad", grad],
    ["m", m],
    ["v", v],
  ] as const) {
    if (x.length !== n) throw new RangeError(`${name} must have length ${n}, got ${x.length}`);
  }
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`step must be an integer ≥ 1, got ${step}`);
  const c1 = 1 / (1 - beta1 ** step);
  const c2 = 1 / (1 - beta2 ** step);
  const arena = freshArena();
  const pg = placeInput(arena, grad);
  // Each state array is updated in place where it is resident, else through the arena; the gradient is
  // only read, so a state array overlapping it goes through the arena too.
  const reads = [range(grad, pg, n)];
  const [pp, pm, pv] = [param, m, v].map((x) => placeOutput(arena, x, 0, n, { load: true, reads })) as [
    Target,
    Target,
    Target,
  ];
  const ex = arena.rt.exports;
  (dtype === "float32" ? ex.adamF32 : ex.adamF64)(
    pp.ptr,
    pg,
    pm.ptr,
    pv.ptr,
    n,
    lr,
    beta1,
    beta2,
    1 - beta1,
    1 - beta2,
    eps,
    c1,
    c2,
  );
  pp.finish();
  pm.finish();
  pv.finish();
}

/** y ← y + alpha·x in place; the SGD step is `axpy(-lr, grad, param)`. */
export function axpy<T extends FloatArray>(alpha: number, x: T, y: T): T {
  const dtype = sameDtype({ x, y });
  if (x.length !== y.length) throw new RangeError(`x and y lengths differ: ${x.length} vs ${y.length}`);
  const arena = freshArena();
  const px = placeInput(arena, x);
  const py = placeOutput(arena, y, 0, y.length, { load: true, reads: [range(x, px, x.length)] });
  const ex = arena.rt.exports;
  (dtype === "float32" ? ex.axpyF32 : ex.axpyF64)(x.length, alpha, px, py.ptr);
  py.finish();
  return y;
}
