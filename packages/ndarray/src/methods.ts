// NumPy-style methods (`x.add(y).sum(0)`), attached to NDArray's prototype as thin wrappers of the functions.
import type { DType } from "./dtype";
import { NDArray } from "./ndarray";
import * as B from "./ops/binary";
import { cast } from "./ops/cast";
import * as C from "./ops/composite";
import { dot, matmul } from "./ops/matmul";
import * as R from "./ops/reduce";
import { slice, type SliceSpec } from "./ops/slice";
import { gather } from "./ops/structure";
import * as U from "./ops/unary";
import type { Input } from "./ops/util";
import * as V from "./ops/views";

type Fn = (x: NDArray, ...args: any[]) => NDArray;
// prettier-ignore
const methods: Record<string, Fn> = {
  add: B.add, sub: B.sub, mul: B.mul, div: B.div, pow: B.pow, maximum: B.maximum, minimum: B.minimum,
  eq: B.eq, ne: B.ne, lt: B.lt, le: B.le, gt: B.gt, ge: B.ge,
  neg: U.neg, abs: U.abs, sign: U.sign, exp: U.exp, log: U.log, log1p: U.log1p, expm1: U.expm1, sqrt: U.sqrt,
  sin: U.sin, cos: U.cos, tanh: U.tanh, sigmoid: U.sigmoid, relu: U.relu, floor: U.floor, ceil: U.ceil, round: U.round,
  square: C.square, reciprocal: C.reciprocal, leakyRelu: C.leakyRelu, clip: C.clip, detach: C.detach,
  var: C.variance, std: C.std, logsumexp: C.logsumexp, softmax: C.softmax, logSoftmax: C.logSoftmax,
  sum: R.sum, mean: R.mean, prod: R.prod, max: R.max, min: R.min, argmax: R.argmax, argmin: R.argmin,
  matmul, dot, transpose: V.transpose, permute: V.permute, broadcastTo: V.broadcastTo, squeeze: V.squeeze,
  unsqueeze: V.unsqueeze, flatten: V.flatten, contiguous: V.contiguous, slice, gather, astype: cast,
  reshape: (x, ...shape: any[]) => V.reshape(x, Array.isArray(shape[0]) ? shape[0] : shape),
};

/** Attaches the methods; called once by the package entry (a call, so bundlers cannot drop it). */
export function installMethods(): void {
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(NDArray.prototype, name, {
      value: function (this: NDArray, ...args: unknown[]) {
        return fn(this, ...args);
      },
      writable: true,
      configurable: true,
    });
  }
  Object.defineProperty(NDArray.prototype, "T", {
    get: function (this: NDArray) {
      return V.transpose(this);
    },
  });
  Object.defineProperty(NDArray.prototype, "mT", {
    get: function (this: NDArray) {
      return V.mT(this);
    },
  });
}
