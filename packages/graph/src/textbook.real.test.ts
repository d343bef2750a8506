// The TensorFlow 1 textbook's MNIST graph, on Fashion-MNIST: placeholders xs/ys, a 784-128-10 MLP
// (relu, then softmax), softmax cross-entropy, a GradientDescentOptimizer train op, and a Session-style
// run(fetches, feed) loop over 400 batches of 128 (under one epoch). (The book's digits reached 93%.)
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as np from "@chainrule/ndarray";
import { Variable } from "@chainrule/autograd";
import {
  DataLoader,
  flattenImages,
  loadFashionMnist,
  normalizeImages,
  oneHotLabels,
} from "@chainrule/datasets/node";
import { softmaxCrossEntropy } from "@chainrule/nn";
import { GradientDescentOptimizer, placeholder, trace } from "./index";

const DIR = "/usr/share/datasets/fashion-mnist";
const SKIP = process.env.CHAINRULE_SKIP_REAL_DATA === "1";
const STEPS = 400;
const FILES = [
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
];

describe.skipIf(SKIP)("textbook: a TF1-style graph trained on Fashion-MNIST", () => {
  it("beats 80% test accuracy after 400 batches of 128 with plain gradient descent", async () => {
    const missing = FILES.filter((f) => !existsSync(join(DIR, `${f}.gz`)) && !existsSync(join(DIR, f)));
    if (missing.length) {
      throw new Error(
        `Fashion-MNIST is missing from ${DIR} (${missing.join(", ")}): install it with ` +
          "apt-get install dataset-fashion-mnist, or set CHAINRULE_SKIP_REAL_DATA=1 to skip this test",
      );
    }
    const { train, test } = await loadFashionMnist({ dir: DIR, download: false });
    // Pixels in [0, 1], standardised with the training set's mean and standard deviation.
    const norm = { mean: 0.286, std: 0.353 };
    const xTrain = flattenImages(normalizeImages(train.images, norm));
    const yTrain = oneHotLabels(train.labels, 10);
    const xTest = flattenImages(normalizeImages(test.images, norm));
    const yTest = oneHotLabels(test.labels, 10);

    // The graph: placeholders for the data, Variables for the weights.
    const xs = placeholder([null, 784], "float32", "xs");
    const ys = placeholder([null, 10], "float32", "ys");
    const rng = new np.Random(0);
    const W1 = new Variable(rng.normal([784, 128], 0, Math.sqrt(2 / 784), "float32"), { name: "W1" });
    const b1 = new Variable(np.zeros([128]), { name: "b1" });
    const W2 = new Variable(rng.normal([128, 10], 0, Math.sqrt(1 / 128), "float32"), { name: "W2" });
    const b2 = new Variable(np.zeros([10]), { name: "b2" });
    const sess = trace(
      (x, y) => {
        const hidden = np.relu(np.matmul(x, W1).add(b1));
        const logits = np.matmul(hidden, W2).add(b2);
        const probs = np.softmax(logits);
        const loss = softmaxCrossEntropy(logits, y);
        const train = new GradientDescentOptimizer(0.1).minimize(loss);
        const correct = np.eq(np.argmax(probs, -1), np.argmax(y, -1));
        const accuracy = np.mean(np.cast(correct, "float32"));
        return { probs, loss, train, accuracy };
      },
      [xs, ys],
    );

    const loader = new DataLoader(
      { x: xTrain, y: yTrain },
      { batchSize: 128, shuffle: true, seed: 0, dropLast: true },
    );
    const losses: number[] = [];
    let steps = 0;
    while (steps < STEPS) {
      for (const { x, y } of loader) {
        const [, loss] = sess.run(["train", "loss"], { xs: x as np.NDArray, ys: y as np.NDArray });
        losses.push(loss!.item());
        if (++steps === STEPS) break;
      }
    }
    const graph = sess.graphFor(np.zeros([128, 784]), np.zeros([128, 10])).toString();
    expect(graph).toMatch(/#0 GradientDescent\(lr=[0-9.]+\): W1 ← /);

    // Evaluation feeds the test set through the same graph, 1000 images per run (fetching only the
    // accuracy runs the forward pass alone: no gradients, no update).
    let correct = 0;
    for (let i = 0; i < 10000; i += 1000) {
      const acc = sess.run("accuracy", {
        xs: np.slice(xTest, [[i, i + 1000]]),
        ys: np.slice(yTest, [[i, i + 1000]]),
      }) as np.NDArray;
      correct += acc.item() * 1000;
    }
    const accuracy = correct / 10000;
    const first = losses.slice(0, 20).reduce((a, b) => a + b) / 20;
    const last = losses.slice(-20).reduce((a, b) => a + b) / 20;
    console.log(
      `textbook graph: loss ${first.toFixed(3)} → ${last.toFixed(3)} over ${STEPS} batches, test accuracy ${(accuracy * 100).toFixed(1)}%`,
    );
    expect(last).toBeLessThan(first);
    expect(accuracy).toBeGreaterThan(0.8);
  });
});
