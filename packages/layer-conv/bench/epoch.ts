// Times training steps of the demo CNN (fashionCnn: 32/64 filters, Dense 128) on Fashion-MNIST batches and
// estimates one epoch of 60,000 images. Run from the repository root:
//   pnpm tsx --conditions=@chainrule/source packages/layer-conv/bench/epoch.ts [batches=20] [batchSize=64]
import { GradientTape, noGrad } from "@chainrule/autograd";
import { loadFashionMnist, normalizeImages } from "@chainrule/datasets/node";
import * as np from "@chainrule/ndarray";
import { sparseSoftmaxCrossEntropy } from "@chainrule/nn";
import { fashionCnn } from "../src/index";

const batches = Number(process.argv[2] ?? 20);
const batchSize = Number(process.argv[3] ?? 64);
const { train } = await loadFashionMnist({ download: false });
const x = normalizeImages(np.slice(train.images, [[0, (batches + 2) * batchSize]]));
const y = np.slice(train.labels, [[0, (batches + 2) * batchSize]]);
const model = fashionCnn(0);
const params = model.parameters();

function step(i: number): void {
  const xb = np.slice(x, [[i * batchSize, (i + 1) * batchSize]]);
  const yb = np.slice(y, [[i * batchSize, (i + 1) * batchSize]]);
  const tape = new GradientTape();
  const loss = tape.record(() => sparseSoftmaxCrossEntropy(model.call(xb), yb));
  const grads = tape.gradient(loss, params) as np.NDArray[];
  noGrad(() => params.forEach((p, j) => p.assignSub(grads[j]!.mul(0.01))));
}

for (let i = 0; i < 2; i++) step(i); // warm-up
const t0 = performance.now();
for (let i = 2; i < batches + 2; i++) step(i);
const perBatch = (performance.now() - t0) / 1000 / batches;
const epoch = perBatch * Math.ceil(60_000 / batchSize);
console.log(
  `fashionCnn on ${np.getBackend().name}: ${(perBatch * 1000).toFixed(0)} ms per batch of ${batchSize}, ` +
    `one epoch of 60,000 images ≈ ${epoch.toFixed(0)} s (${(epoch / 60).toFixed(1)} min), from ${batches} batches`,
);
