import { mul, NDArray, shapesEqual, sum, zerosLike, formatShape } from "@chainrule/ndarray";
import { GradientTape } from "./tape";

type Fn = (...args: NDArray[]) => NDArray;

function checkTangents(primals: readonly NDArray[], tangents: readonly NDArray[], what: string): void {
  if (primals.length !== tangents.length) {
    throw new TypeError(`${what}: got ${primals.length} primals but ${tangents.length} tangents`);
  }
  primals.forEach((x, i) => {
    if (!shapesEqual(x.shape, tangents[i]!.shape)) {
      throw new TypeError(
        `${what}: tangent ${i} has shape ${formatShape(tangents[i]!.shape)} but primal ${i} has shape ${formatShape(x.shape)}`,
      );
    }
  });
}

/** Σᵢ ⟨aᵢ, bᵢ⟩ as a scalar array (recorded by any active tape). */
function inner(as: readonly NDArray[], bs: readonly NDArray[]): NDArray {
  return as.map((a, i) => sum(mul(a, bs[i]!))).reduce((s, t) => s.add(t));
}

/**
 * Forward mode: `const [y, dy] = jvp(f, [x1, x2], [v1, v2])` gives f(x) and the Jacobian-vector
 * product J·v = Σᵢ ∂f/∂xᵢ · vᵢ, as `jax.jvp` does.
 *
 * It uses the double-vjp trick, not forward-mode rules: the pullback u ↦ uᵀJ is linear in u, so
 * differentiating ⟨uᵀJ, v⟩ with respect to u gives J·v. Cost: one forward and two backward passes.
 */
export function jvp(f: Fn, primals: readonly NDArray[], tangents: readonly NDArray[]): [NDArray, NDArray] {
  checkTangents(primals, tangents, "jvp");
  // The outer tape watches only u (not Variables f reads): it differentiates the pullback alone.
  const outer = new GradientTape({ watchAccessedVariables: false });
  let y: NDArray | undefined;
  let u: NDArray | undefined;
  const projected = outer.record(() => {
    const tape = new GradientTape();
    y = tape.record(() => {
      tape.watch(...primals);
      return f(...primals);
    });
    if (!(y instanceof NDArray)) throw new TypeError("jvp: the function must return an NDArray");
    u = zerosLike(y);
    outer.watch(u);
    const pulled = tape.gradient(y, [...primals], { outputGradients: u, unconnectedGradients: "zero" });
    return inner(pulled as NDArray[], tangents);
  });
  const dy = outer.gradient(projected, u!, { unconnectedGradients: "zero" }) as NDArray;
  return [y!, dy];
}

/**
 * Hessian-vector product of a scalar function: `hvp(f, [x], [v])` is `[H·v]`, one array per
 * argument (block row i is Σⱼ ∂²f/∂xᵢ∂xⱼ · vⱼ). Reverse over reverse: the gradient of ⟨∇f(x), v⟩.
 * A non-scalar output is summed first, as `grad` does.
 */
export function hvp(f: Fn, primals: readonly NDArray[], tangents: readonly NDArray[]): NDArray[] {
  checkTangents(primals, tangents, "hvp");
  const outer = new GradientTape();
  const projected = outer.record(() => {
    outer.watch(...primals);
    const tape = new GradientTape();
    const y = tape.record(() => {
      tape.watch(...primals);
      return f(...primals);
    });
    if (!(y instanceof NDArray)) throw new TypeError("hvp: the function must return an NDArray");
    const g = tape.gradient(y, [...primals], { unconnectedGradients: "zero" }) as NDArray[];
    return inner(g, tangents);
  });
  return outer.gradient(projected, [...primals], { unconnectedGradients: "zero" }) as NDArray[];
}
