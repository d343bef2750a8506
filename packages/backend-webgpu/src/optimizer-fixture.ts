// The small tanh regression both optimizer suites train, and running a step on a chosen backend.
import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { values } from "./test-helpers";

/** f() with `backend` as the current backend, restoring the previous one after. */
export async function on<T>(backend: np.Backend, f: () => T | Promise<T>): Promise<T> {
  const previous = np.getBackend();
  np.setBackend(backend);
  try {
    return await f();
  } finally {
    np.setBackend(previous);
  }
}

/** w [5, 3] and b [3] of a small tanh regression, made on the current backend. */
export function model(): Variable[] {
  const w = new Variable(np.array(values(15, 1, -1, 1), { dtype: "float32" }).reshape(5, 3), { name: "w" });
  const b = new Variable(np.array(values(3, 2), { dtype: "float32" }), { name: "b" });
  return [w, b];
}

export function loss([w, b]: Variable[]): np.NDArray {
  const x = np.array(values(20, 3), { dtype: "float32" }).reshape(4, 5);
  const y = np.array(values(12, 4), { dtype: "float32" }).reshape(4, 3);
  return np.mean(np.square(np.sub(np.tanh(np.add(np.matmul(x, w!), b!)), y)));
}
