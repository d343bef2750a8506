import { GradientTape } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { SoftmaxWithLoss, softmaxCrossEntropy, sparseSoftmaxCrossEntropy, textbook } from "./index";

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" });
const rng = new np.Random(7);

/** Autograd's vector-Jacobian product: the gradient of Σ f(xs)·dout with respect to each input. */
function vjp(f: (...xs: np.NDArray[]) => np.NDArray, xs: np.NDArray[], dout: np.NDArray): np.NDArray[] {
  const tape = new GradientTape();
  const y = tape.record(() => {
    tape.watch(...xs);
    return f(...xs);
  });
  return tape.gradient(y, xs, { outputGradients: dout }) as np.NDArray[];
}

function expectClose(a: np.NDArray, b: np.NDArray | number[], tol = 1e-15) {
  const av = Array.from(a.dataSync());
  const bv = b instanceof np.NDArray ? Array.from(b.dataSync()) : b;
  if (b instanceof np.NDArray) expect(a.shape).toEqual(b.shape);
  expect(av.length).toBe(bv.length);
  av.forEach((v, i) =>
    expect(Math.abs(v - bv[i]!), `element ${i}: ${v} vs ${bv[i]}`).toBeLessThanOrEqual(tol),
  );
}

describe("SoftmaxWithLoss", () => {
  const N = 4;
  const C = 5;
  const x = rng.normal([N, C], 0, 2, "float64");
  const labels = [3, 0, 4, 4];
  const t = np.oneHot(labels, C, "float64");

  // (softmax(x) − t)/N computed element by element in plain JS.
  const rowsX = x.toArray() as number[][];
  const closedForm = rowsX.flatMap((r, i) => {
    const m = Math.max(...r);
    const e = r.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b);
    return e.map((v, c) => (v / s - (c === labels[i] ? 1 : 0)) / N);
  });

  it("forward gives the mean cross-entropy", () => {
    const layer = new SoftmaxWithLoss();
    const loss = layer.forward(x, t);
    expect(loss.item()).toBeCloseTo(softmaxCrossEntropy(x, t).item(), 15);
    const lossByLabels = new SoftmaxWithLoss().forward(x, labels);
    expect(lossByLabels.item()).toBe(loss.item());
  });

  it("backward is exactly (softmax(x) − t)/batch, the closed form and autograd's gradient", () => {
    for (const target of [t, labels, np.array(labels, { dtype: "int32" })]) {
      const layer = new SoftmaxWithLoss();
      layer.forward(x, target);
      const dx = layer.backward();
      expectClose(dx, closedForm);
      const [auto] = vjp((z) => softmaxCrossEntropy(z, t), [x], np.array(1, { dtype: "float64" }));
      expectClose(dx, auto!);
      const [autoSparse] = vjp(
        (z) => sparseSoftmaxCrossEntropy(z, labels),
        [x],
        np.array(1, { dtype: "float64" }),
      );
      expectClose(dx, autoSparse!);
    }
  });

  it("scales by dout and handles a single sample and extreme logits", () => {
    const layer = new SoftmaxWithLoss();
    layer.forward(x, t);
    expectClose(
      layer.backward(3),
      closedForm.map((v) => 3 * v),
      1e-15,
    );
    const one = new SoftmaxWithLoss();
    one.forward(f64([0, Math.log(3)]), [1]);
    expectClose(one.backward(), [0.25, -0.25], 1e-15);
    const big = new SoftmaxWithLoss();
    expect(
      big
        .forward(
          f64([
            [1e4, -1e4],
            [-1e4, 1e4],
          ]),
          [0, 0],
        )
        .item(),
    ).toBe(1e4);
    expectClose(big.backward(), [0, 0, -0.5, 0.5]);
    expect(() => new SoftmaxWithLoss().backward()).toThrow(/call forward first/);
    expect(() => new SoftmaxWithLoss().forward(x, [0, 1])).toThrow(/4 samples but 2 labels/);
  });
});

describe("textbook layers (explicit backward) agree with autograd", () => {
  it("MulLayer and AddLayer: the apple example", () => {
    const [apple, num, tax] = [100, 2, 1.1].map((v) => np.array(v, { dtype: "float64" }));
    const mulApple = new textbook.MulLayer();
    const mulTax = new textbook.MulLayer();
    const price = mulTax.forward(mulApple.forward(apple!, num!), tax!);
    expect(price.item()).toBeCloseTo(220, 12);
    const [dApplePrice, dTax] = mulTax.backward(1);
    const [dApple, dNum] = mulApple.backward(dApplePrice);
    const auto = vjp((a, n, tx) => a.mul(n).mul(tx), [apple!, num!, tax!], np.array(1, { dtype: "float64" }));
    expectClose(dApple, auto[0]!);
    expectClose(dNum, auto[1]!);
    expectClose(dTax!, auto[2]!);
    expect([dApple.item(), dNum.item(), dTax!.item()].map((v) => +v.toFixed(10))).toEqual([2.2, 110, 200]);

    const add = new textbook.AddLayer();
    const a = rng.normal([3, 2], 0, 1, "float64");
    const b = rng.normal([2], 0, 1, "float64");
    add.forward(a, b);
    const dout = rng.normal([3, 2], 0, 1, "float64");
    const [da, db] = add.backward(dout);
    const autoAdd = vjp((p, q) => p.add(q), [a, b], dout);
    expectClose(da, autoAdd[0]!);
    expectClose(db, autoAdd[1]!, 1e-14);
  });

  it("Relu and Sigmoid", () => {
    const x = f64([
      [-2, -0.5, 0.5, 3],
      [1, -1, 0.25, -4],
    ]);
    const dout = rng.normal([2, 4], 0, 1, "float64");
    const relu = new textbook.Relu();
    expectClose(relu.forward(x), np.relu(x));
    expectClose(relu.backward(dout), vjp(np.relu, [x], dout)[0]!);
    const sig = new textbook.Sigmoid();
    expectClose(sig.forward(x), np.sigmoid(x));
    expectClose(sig.backward(dout), vjp(np.sigmoid, [x], dout)[0]!, 1e-15);
  });

  it("Affine, including inputs it flattens", () => {
    const W = rng.normal([6, 3], 0, 1, "float64");
    const b = rng.normal([3], 0, 1, "float64");
    const x = rng.normal([4, 2, 3], 0, 1, "float64");
    const dout = rng.normal([4, 3], 0, 1, "float64");
    const affine = new textbook.Affine(W, b);
    const y = affine.forward(x);
    expectClose(y, np.add(np.matmul(x.reshape([4, 6]), W), b), 1e-14);
    const dx = affine.backward(dout);
    const [gx, gW, gb] = vjp((xx, ww, bb) => np.add(np.matmul(xx.reshape([4, 6]), ww), bb), [x, W, b], dout);
    expect(dx.shape).toEqual([4, 2, 3]);
    expectClose(dx, gx!, 1e-14);
    expectClose(affine.dW!, gW!, 1e-14);
    expectClose(affine.db!, gb!, 1e-14);
    expect(() => new textbook.Affine(W, np.zeros([4]))).toThrow(/Affine/);
  });
});
