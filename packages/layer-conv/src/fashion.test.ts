import { GradientTape, noGrad } from "@chainrule/autograd";
import { loadFashionMnist, normalizeImages } from "@chainrule/datasets/node";
import * as np from "@chainrule/ndarray";
import { categoricalAccuracy, sparseSoftmaxCrossEntropy } from "@chainrule/nn";
import { describe, expect, it } from "vitest";
import { fashionCnn } from "./index";

// Real data (Debian's dataset-fashion-mnist in /usr/share/datasets/fashion-mnist, or the cache): a narrow
// version of the demo's CNN trains for one pass over 2,048 images and must clearly beat chance on held-out images.
describe("a small CNN on Fashion-MNIST", () => {
  it("trains: the loss falls and test accuracy is far above chance", async () => {
    const { train, test } = await loadFashionMnist({ download: false });
    const nTrain = 2048;
    const x = normalizeImages(np.slice(train.images, [[0, nTrain]]));
    const y = np.slice(train.labels, [[0, nTrain]]);
    const xTest = normalizeImages(np.slice(test.images, [[0, 1000]]));
    const yTest = np.slice(test.labels, [[0, 1000]]);

    const model = fashionCnn(0, { filters: [8, 16], hidden: 32 });
    const params = model.parameters();
    const velocity = params.map((p) => np.zerosLike(p));
    const batch = 32;
    const losses: number[] = [];
    const started = performance.now();
    for (let start = 0; start < nTrain; start += batch) {
      const xb = np.slice(x, [[start, start + batch]]);
      const yb = np.slice(y, [[start, start + batch]]);
      const tape = new GradientTape();
      const loss = tape.record(() => sparseSoftmaxCrossEntropy(model.call(xb), yb));
      const grads = tape.gradient(loss, params) as np.NDArray[];
      noGrad(() =>
        params.forEach((p, i) => {
          velocity[i] = velocity[i]!.mul(0.9).add(grads[i]!); // SGD with momentum
          p.assignSub(velocity[i]!.mul(0.05));
        }),
      );
      losses.push(loss.item());
    }
    const seconds = (performance.now() - started) / 1000;
    const steps = nTrain / batch;
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const first = mean(losses.slice(0, 10));
    const last = mean(losses.slice(-steps / 2));
    const accuracy = categoricalAccuracy(
      noGrad(() => model.call(xTest)),
      yTest,
    );
    console.log(
      `layer-conv: ${steps} steps in ${seconds.toFixed(1)} s; loss ${first.toFixed(3)} → ${last.toFixed(3)}; test accuracy ${accuracy.toFixed(3)}`,
    );
    expect(last).toBeLessThan(0.6 * first);
    expect(accuracy).toBeGreaterThan(0.6); // chance is 0.1
  });
});
