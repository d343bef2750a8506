import { NDArray, oneHot, reshape, sizeOf, stack, zeros } from "@chainrule/ndarray";
import { grad } from "./functional";
import { GradientTape } from "./tape";

type Fn = (...args: NDArray[]) => NDArray;

function pick(argnums: number | readonly number[], n: number, what: string): number[] {
  const list = typeof argnums === "number" ? [argnums] : [...argnums];
  for (const a of list) {
    if (!Number.isInteger(a) || a < 0 || a >= n)
      throw new RangeError(`${what}: argnum ${a} is out of range for ${n} arguments`);
  }
  return list;
}

/**
 * The full Jacobian of f with respect to each selected argument, of shape [...out.shape, ...x.shape]
 * (as `jax.jacrev`): one vector-Jacobian product per output element, so it suits few outputs.
 * The products are array ops, so an outer tape can differentiate the Jacobian again.
 */
function jacobians(f: Fn, args: NDArray[], argnums: number[], what: string): NDArray[] {
  const xs = argnums.map((i) => args[i]!);
  const tape = new GradientTape({ persistent: true });
  const y = tape.record(() => {
    tape.watch(...xs);
    return f(...args);
  });
  if (!(y instanceof NDArray)) throw new TypeError(`${what}: the function must return an NDArray`);
  const m = sizeOf(y.shape);
  const rows = Array.from({ length: m }, (_, k) => {
    const seed = reshape(oneHot([k], m, y.dtype), y.shape);
    return tape.gradient(y, xs, { outputGradients: seed, unconnectedGradients: "zero" }) as NDArray[];
  });
  return xs.map((x, i) => {
    if (m === 0) return zeros([...y.shape, ...x.shape], y.dtype);
    return reshape(stack(rows.map((r) => r[i]!)), [...y.shape, ...x.shape]);
  });
}

/** `jacobian(f)(x)` is ∂f/∂x with shape [...f(x).shape, ...x.shape]; `jacobian(f, [0, 1])` gives one per argument. */
export function jacobian(f: Fn, argnums?: number): (...args: NDArray[]) => NDArray;
export function jacobian(f: Fn, argnums: readonly number[]): (...args: NDArray[]) => NDArray[];
export function jacobian(f: Fn, argnums: number | readonly number[] = 0) {
  return (...args: NDArray[]) => {
    const js = jacobians(f, args, pick(argnums, args.length, "jacobian"), "jacobian");
    return typeof argnums === "number" ? js[0]! : js;
  };
}

/**
 * `hessian(f)(x)` is ∂²f/∂x² with shape [...x.shape, ...x.shape] for a scalar f (a non-scalar f is
 * summed, as `grad` does): the Jacobian of the gradient, reverse over reverse. With several
 * argnums it returns the blocks: `hessian(f, [0, 1])(a, b)[i][j]` is ∂²f/∂xᵢ∂xⱼ.
 */
export function hessian(f: Fn, argnums?: number): (...args: NDArray[]) => NDArray;
export function hessian(f: Fn, argnums: readonly number[]): (...args: NDArray[]) => NDArray[][];
export function hessian(f: Fn, argnums: number | readonly number[] = 0) {
  return (...args: NDArray[]) => {
    const list = pick(argnums, args.length, "hessian");
    const blocks = list.map((i) => jacobians(grad(f, i), args, list, "hessian"));
    return typeof argnums === "number" ? blocks[0]![0]! : blocks;
  };
}
