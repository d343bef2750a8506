import { NDArray, zerosLike } from "@chainrule/ndarray";
import { GradientTape } from "./tape";

type Fn = (...args: NDArray[]) => NDArray;

function select(argnums: number | readonly number[], n: number, what: string): number[] {
  const list = typeof argnums === "number" ? [argnums] : [...argnums];
  for (const a of list) {
    if (!Number.isInteger(a) || a < 0 || a >= n)
      throw new RangeError(`${what}: argnum ${a} is out of range for ${n} arguments`);
  }
  return list;
}

/**
 * Runs f on the arguments under a fresh tape and differentiates with respect to the selected ones.
 * Unconnected arguments get zeros (as in JAX); a non-scalar output is summed first.
 */
function differentiate(f: Fn, args: NDArray[], argnums: number | readonly number[], what: string) {
  const picked = select(argnums, args.length, what);
  const tape = new GradientTape();
  const value = tape.record(() => {
    tape.watch(...picked.map((i) => args[i]!));
    return f(...args);
  });
  if (!(value instanceof NDArray)) throw new TypeError(`${what}: the function must return an NDArray`);
  const grads = tape.gradient(
    value,
    picked.map((i) => args[i]!),
    { unconnectedGradients: "zero" },
  ) as NDArray[];
  return { value, grads: typeof argnums === "number" ? grads[0]! : grads };
}

/** `grad(f)(x)` is df/dx; `grad(grad(f))` differentiates again. */
export function grad(f: Fn, argnums?: number): (...args: NDArray[]) => NDArray;
export function grad(f: Fn, argnums: readonly number[]): (...args: NDArray[]) => NDArray[];
export function grad(f: Fn, argnums: number | readonly number[] = 0) {
  return (...args: NDArray[]) => differentiate(f, args, argnums, "grad").grads;
}

/** `valueAndGrad(f)(x)` is `[f(x), df/dx]`, with one forward pass. */
export function valueAndGrad(f: Fn, argnums?: number): (...args: NDArray[]) => [NDArray, NDArray];
export function valueAndGrad(f: Fn, argnums: readonly number[]): (...args: NDArray[]) => [NDArray, NDArray[]];
export function valueAndGrad(f: Fn, argnums: number | readonly number[] = 0) {
  return (...args: NDArray[]) => {
    const { value, grads } = differentiate(f, args, argnums, "valueAndGrad");
    return [value, grads];
  };
}

/**
 * `const [y, pullback] = vjp(f, x1, x2)`; `pullback(ct)` gives the cotangent of each input:
 * ctᵀ·∂f/∂xᵢ. The pullback can be called many times.
 */
export function vjp(f: Fn, ...primals: NDArray[]): [NDArray, (cotangent: NDArray) => NDArray[]] {
  const tape = new GradientTape({ persistent: true });
  const value = tape.record(() => {
    tape.watch(...primals);
    return f(...primals);
  });
  const pullback = (cotangent: NDArray) =>
    (tape.gradient(value, primals, { outputGradients: cotangent }) as (NDArray | null)[]).map(
      (g, i) => g ?? zerosLike(primals[i]!),
    );
  return [value, pullback];
}
