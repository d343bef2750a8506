// The layers of "Deep Learning from Scratch" (ch. 5): each remembers what its forward pass needs and
// computes its backward pass by hand, `backward(dout)` returning the gradient with respect to its inputs.
// They are for learning how backpropagation works; the Module layers get the same gradients from the tape.
import * as np from "@chainrule/ndarray";
import { NDArray, ShapeError, formatShape } from "@chainrule/ndarray";
import { labelIndices } from "./losses";

const need = <T>(v: T | undefined, layer: string): T => {
  if (v === undefined) throw new Error(`${layer}.backward: call forward first`);
  return v;
};

/** out = x·y; backward gives [dout·y, dout·x]. */
export class MulLayer {
  private x: NDArray | undefined;
  private y: NDArray | undefined;

  forward(x: NDArray, y: NDArray): NDArray {
    this.x = x;
    this.y = y;
    return np.mul(x, y);
  }

  backward(dout: NDArray | number): [NDArray, NDArray] {
    const x = need(this.x, "MulLayer");
    const y = need(this.y, "MulLayer");
    return [np.sumTo(np.mul(dout, y), x.shape), np.sumTo(np.mul(dout, x), y.shape)];
  }
}

/** out = x + y; backward passes dout to both (summed over broadcast axes). */
export class AddLayer {
  private shapes: [readonly number[], readonly number[]] | undefined;

  forward(x: NDArray, y: NDArray): NDArray {
    this.shapes = [x.shape, y.shape];
    return np.add(x, y);
  }

  backward(dout: NDArray | number): [NDArray, NDArray] {
    const [sx, sy] = need(this.shapes, "AddLayer");
    const d = typeof dout === "number" ? np.full(np.broadcastShapes("AddLayer", sx, sy), dout) : dout;
    return [np.sumTo(d, sx), np.sumTo(d, sy)];
  }
}

/** max(x, 0); backward lets dout through where x > 0 (the mask remembered from forward). */
export class Relu {
  private mask: NDArray | undefined;

  forward(x: NDArray): NDArray {
    this.mask = np.gt(x, 0);
    return np.where(this.mask, x, 0);
  }

  backward(dout: NDArray): NDArray {
    return np.where(need(this.mask, "Relu"), dout, 0);
  }
}

/** 1/(1 + e^−x); backward is dout·y·(1 − y) with y the remembered output. */
export class Sigmoid {
  private out: NDArray | undefined;

  forward(x: NDArray): NDArray {
    this.out = np.sigmoid(x);
    return this.out;
  }

  backward(dout: NDArray): NDArray {
    const y = need(this.out, "Sigmoid");
    return np.mul(np.mul(dout, y), np.sub(1, y));
  }
}

/**
 * out = x·W + b (x is flattened to [N, in] first, as in the book); backward returns dx = dout·Wᵀ and stores
 * dW = xᵀ·dout and db = Σ_N dout. W and b can be Variables, updated in place by a training loop.
 */
export class Affine {
  dW: NDArray | undefined;
  db: NDArray | undefined;
  private x: NDArray | undefined;
  private xShape: readonly number[] | undefined;

  constructor(
    readonly W: NDArray,
    readonly b: NDArray,
  ) {
    if (W.ndim !== 2 || b.ndim !== 1 || b.shape[0] !== W.shape[1]) {
      throw new ShapeError(
        `Affine: need W [in, out] and b [out], got ${formatShape(W.shape)} and ${formatShape(b.shape)}`,
      );
    }
  }

  forward(x: NDArray): NDArray {
    this.xShape = x.shape;
    const x2 = x.ndim === 2 ? x : np.reshape(x, [x.shape[0]!, -1]);
    this.x = x2;
    return np.add(np.matmul(x2, this.W), this.b);
  }

  backward(dout: NDArray): NDArray {
    const x = need(this.x, "Affine");
    const dx = np.matmul(dout, np.transpose(this.W));
    this.dW = np.matmul(np.transpose(x), dout);
    this.db = np.sum(dout, 0);
    return np.reshape(dx, need(this.xShape, "Affine"));
  }
}

/**
 * Softmax followed by the cross-entropy loss, as one layer: `forward(logits, t)` returns the mean loss over
 * the batch and `backward(dout = 1)` returns its gradient with respect to the logits, which is exactly
 * (softmax(x) − t)·dout / N: the reason the two are fused. `t` is one-hot rows or integer labels.
 * The loss is computed with log-softmax (finite for any logits), not log(softmax + 1e-7) as in the book.
 */
export class SoftmaxWithLoss {
  /** The last loss, softmax output and one-hot targets. */
  loss: NDArray | undefined;
  y: NDArray | undefined;
  t: NDArray | undefined;

  forward(logits: NDArray, t: NDArray | readonly number[]): NDArray {
    if (logits.ndim !== 1 && logits.ndim !== 2) {
      throw new ShapeError(`SoftmaxWithLoss: logits must be [C] or [N, C], got ${formatShape(logits.shape)}`);
    }
    const C = logits.shape[logits.ndim - 1]!;
    const dtype = np.isFloat(logits.dtype) ? logits.dtype : "float32";
    let onehot: NDArray;
    if (t instanceof NDArray && np.shapesEqual(t.shape, logits.shape)) {
      onehot = t.dtype === dtype ? t : np.cast(t, dtype);
    } else {
      const idx = labelIndices(t, C, "SoftmaxWithLoss");
      const rows = logits.ndim === 2 ? logits.shape[0]! : 1;
      if (idx.length !== rows) {
        throw new ShapeError(`SoftmaxWithLoss: ${rows} samples but ${idx.length} labels`);
      }
      onehot = np.reshape(np.oneHot(new NDArray(idx, [idx.length], "int32"), C, dtype), logits.shape);
    }
    this.t = onehot;
    this.y = np.softmax(logits, -1);
    const logp = np.logSoftmax(logits, -1);
    this.loss = np.div(np.neg(np.sum(np.mul(onehot, logp))), logits.ndim === 2 ? logits.shape[0]! : 1);
    return this.loss;
  }

  backward(dout: NDArray | number = 1): NDArray {
    const y = need(this.y, "SoftmaxWithLoss");
    const t = need(this.t, "SoftmaxWithLoss");
    const batch = y.ndim === 2 ? y.shape[0]! : 1;
    const dx = np.div(np.sub(y, t), batch);
    return dout === 1 ? dx : np.mul(dx, dout);
  }
}
