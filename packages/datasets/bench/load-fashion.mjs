// Times loading all of Fashion-MNIST (70,000 images, checksums verified) and normalising it to float32.
// Runs against the built package: `pnpm --filter @chainrule/datasets build` first.
// Usage: node bench/load-fashion.mjs [runs=5]   (CHAINRULE_DATA_DIR etc. are honoured; nothing is downloaded)
import { loadFashionMnist, normalizeImages } from "../dist/node.js";

const TARGET_MS = 2000;
const runs = Number(process.argv[2] ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const load = [];
const normalise = [];
const total = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const data = await loadFashionMnist({ download: false });
  const t1 = performance.now();
  const train = normalizeImages(data.train.images);
  const test = normalizeImages(data.test.images);
  const t2 = performance.now();
  if (train.dtype !== "float32" || train.shape[0] + test.shape[0] !== 70000)
    throw new Error("unexpected result");
  load.push(t1 - t0);
  normalise.push(t2 - t1);
  total.push(t2 - t0);
}

const fmt = (ms) => `${ms.toFixed(0)} ms`;
console.log(`Fashion-MNIST, 70,000 images, median of ${runs} runs (Node ${process.version}):`);
console.log(`  load + verify (uint8): ${fmt(median(load))}`);
console.log(`  normalise to float32:  ${fmt(median(normalise))}`);
console.log(
  `  total:                 ${fmt(median(total))} (target < ${fmt(TARGET_MS)}: ${median(total) < TARGET_MS ? "met" : "MISSED"})`,
);
