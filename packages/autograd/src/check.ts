import { cast, mul, NDArray, Random, sum, formatShape } from "@chainrule/ndarray";
import { GradientTape } from "./tape";
import { noGrad } from "./control";

export interface CheckGradsOptions {
  /** Check derivatives up to this order (default 1). */
  order?: number;
  /** Central-difference step (default 1e-6, for float64). */
  eps?: number;
  rtol?: number;
  atol?: number;
  seed?: number;
}

export interface CheckGradsReport {
  order: number;
  /** Largest |analytic - numeric| over every checked element and order. */
  maxAbsError: number;
  checked: number;
}

export class GradCheckError extends Error {
  override name = "GradCheckError";
}

type Fn = (...xs: NDArray[]) => NDArray;

function analytic(f: Fn, xs: NDArray[]): NDArray[] {
  const tape = new GradientTape();
  const y = tape.record(() => {
    tape.watch(...xs);
    return sum(f(...xs));
  });
  return (tape.gradient(y, xs, { unconnectedGradients: "zero" }) as NDArray[]).map((g) => cast(g, "float64"));
}

/**
 * Compares tape gradients with float64 central differences. For order k > 1 it also checks the
 * derivative of x ↦ Σ ⟨∇f(x), vᵢ⟩ for random vᵢ, recursively: that exercises grad-of-grad.
 * Throws a GradCheckError naming the input, element and both values on a mismatch.
 */
export function checkGrads(
  f: Fn,
  inputs: readonly NDArray[],
  options: CheckGradsOptions = {},
): CheckGradsReport {
  const { order = 1, eps = 1e-6, rtol = 1e-5, atol = 1e-6, seed = 0 } = options;
  const rng = new Random(seed);
  const xs = inputs
    .map((x) => cast(x, "float64").toTypedArray())
    .map((b, i) => [b, inputs[i]!.shape] as const);
  const arrays = () => xs.map(([b, s]) => fromBuffer(b, s));
  // A random projection turns any output into a scalar with a non-degenerate gradient.
  const out = noGrad(() => f(...arrays()));
  const proj = rng.uniform(out.shape, 0.5, 1.5, "float64");
  const scalarF: Fn = (...a) => mul(cast(f(...a), "float64"), proj);

  let maxAbsError = 0;
  let checked = 0;
  let current: Fn = scalarF;
  for (let k = 1; k <= order; k++) {
    const fk = current;
    const grads = analytic(fk, arrays());
    xs.forEach(([buf, shape], i) => {
      const g = grads[i]!.dataSync();
      for (let j = 0; j < buf.length; j++) {
        const orig = buf[j]!;
        buf[j] = orig + eps;
        const plus = noGrad(() => sum(fk(...arrays())).item());
        buf[j] = orig - eps;
        const minus = noGrad(() => sum(fk(...arrays())).item());
        buf[j] = orig;
        const numeric = (plus - minus) / (2 * eps);
        const err = Math.abs(g[j]! - numeric);
        maxAbsError = Math.max(maxAbsError, err);
        checked++;
        if (!(err <= atol + rtol * Math.max(Math.abs(numeric), Math.abs(g[j]!)))) {
          throw new GradCheckError(
            `checkGrads: order ${k} derivative wrong for input ${i} (shape ${formatShape(shape)}) at flat index ${j}: ` +
              `autodiff ${g[j]} vs central difference ${numeric} (|error| ${err.toExponential(2)})`,
          );
        }
      }
    });
    if (k < order) {
      const vs = xs.map(([, s]) => rng.uniform(s, -1, 1, "float64"));
      // The next order differentiates x ↦ Σᵢ ⟨∇ᵢ fk(x), vᵢ⟩, computed with a tape (so it is grad of grad).
      current = (...a) => {
        const tape = new GradientTape();
        const y = tape.record(() => {
          tape.watch(...a);
          return sum(fk(...a));
        });
        const gs = tape.gradient(y, a, { unconnectedGradients: "zero" }) as NDArray[];
        return gs.map((g, i) => sum(mul(g, vs[i]!))).reduce((s, t) => s.add(t));
      };
    }
  }
  return { order, maxAbsError, checked };
}

function fromBuffer(b: NDArray["buffer"], shape: readonly number[]): NDArray {
  return new NDArray(b, shape, "float64");
}
