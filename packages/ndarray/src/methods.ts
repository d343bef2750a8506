// NumPy-style methods (`x.add(y).sum(0)`), attached to NDArray's prototype as thin wrappers of the functions.
// Both tables are typed by NDArrayMethods: a declared method without an implementation (or an implementation
// with the wrong signature) is a compile error, and the unary and binary ops come whole from their op tables.
import { NDArray } from "./ndarray";
import type { NDArrayMethods } from "./ndarray-methods";
import { binaryOps } from "./ops/binary";
import { cast } from "./ops/cast";
import * as C from "./ops/composite";
import { dot, matmul } from "./ops/matmul";
import * as R from "./ops/reduce";
import { slice } from "./ops/slice";
import { gather } from "./ops/structure";
import { unaryOps } from "./ops/unary";
import { dispose, isDisposed } from "./pool";
import * as V from "./ops/views";

type Member = keyof NDArrayMethods;
type GetterName = {
  [K in Member]: NDArrayMethods[K] extends (...args: never[]) => unknown ? never : K;
}[Member];
type MethodName = Exclude<Member, GetterName>;
/** A method as a function of its receiver: `x.sum(0)` is `sum(x, 0)`. */
type AsFunction<M> = M extends (...args: infer A) => infer R ? (x: NDArray, ...args: A) => R : never;

/** `reshape(2, 3)` and `reshape([2, 3])` alike. */
const reshape = (x: NDArray, ...shape: (number | readonly number[])[]) =>
  V.reshape(x, typeof shape[0] === "object" ? shape[0] : (shape as number[]));

// prettier-ignore
const methods: { readonly [K in MethodName]: AsFunction<NDArrayMethods[K]> } = {
  ...unaryOps, ...binaryOps,
  square: C.square, reciprocal: C.reciprocal, leakyRelu: C.leakyRelu, clip: C.clip, detach: C.detach,
  var: C.variance, std: C.std, logsumexp: C.logsumexp, softmax: C.softmax, logSoftmax: C.logSoftmax,
  sum: R.sum, mean: R.mean, prod: R.prod, max: R.max, min: R.min, argmax: R.argmax, argmin: R.argmin,
  matmul, dot, transpose: V.transpose, permute: V.permute, broadcastTo: V.broadcastTo, squeeze: V.squeeze,
  unsqueeze: V.unsqueeze, flatten: V.flatten, contiguous: V.contiguous, slice, gather, astype: cast, reshape,
  dispose,
};

const getters: { readonly [K in GetterName]: (x: NDArray) => NDArrayMethods[K] } = {
  T: (x) => V.transpose(x),
  mT: V.mT,
  isDisposed,
};

/** Attaches the methods; called once by the package entry (a call, so bundlers cannot drop it). */
export function installMethods(): void {
  for (const name of Object.keys(methods) as MethodName[]) {
    const fn = methods[name] as (x: NDArray, ...args: unknown[]) => NDArray;
    Object.defineProperty(NDArray.prototype, name, {
      value: function (this: NDArray, ...args: unknown[]) {
        return fn(this, ...args);
      },
      writable: true,
      configurable: true,
    });
  }
  for (const name of Object.keys(getters) as GetterName[]) {
    const get = getters[name];
    Object.defineProperty(NDArray.prototype, name, {
      get: function (this: NDArray) {
        return get(this);
      },
    });
  }
}
