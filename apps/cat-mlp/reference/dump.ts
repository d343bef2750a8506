// Writes the cat-vs-non-cat data and this app's initial weights for seeds 0…n-1 as raw little-endian float64,
// for numpy_reference.py. Run from apps/cat-mlp:
//   npx tsx --conditions=@chainrule/source reference/dump.ts /tmp/cat-reference 12
import { flattenImages, loadCatVsNonCat, normalizeImages } from "@chainrule/datasets/node";
import * as np from "@chainrule/ndarray";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_DATA_DIR, LAYER_DIMS, LLayerNetwork } from "../src/cat-mlp";

const dir = process.argv[2] ?? "/tmp/cat-reference";
const seeds = Number(process.argv[3] ?? 12);
mkdirSync(dir, { recursive: true });
const f64 = (a: np.NDArray) =>
  Buffer.from(Float64Array.from(np.cast(a, "float64").data as Float64Array).buffer);
const { train, test } = await loadCatVsNonCat({ dir: DEFAULT_DATA_DIR });
writeFileSync(
  join(dir, "xtrain.f64"),
  f64(flattenImages(normalizeImages(train.images, { dtype: "float64" }))),
);
writeFileSync(join(dir, "xtest.f64"), f64(flattenImages(normalizeImages(test.images, { dtype: "float64" }))));
writeFileSync(join(dir, "ytrain.f64"), f64(train.labels));
writeFileSync(join(dir, "ytest.f64"), f64(test.labels));
for (let seed = 0; seed < seeds; seed++) {
  // The kernels in layer order, each [in, out] row-major (the biases start at zero).
  const kernels = new LLayerNetwork(LAYER_DIMS, seed)
    .namedParameters()
    .filter(([name]) => name.endsWith("kernel"));
  writeFileSync(join(dir, `w${seed}.f64`), Buffer.concat(kernels.map(([, w]) => f64(w))));
}
console.log(`wrote the data and the initial weights of seeds 0-${seeds - 1} to ${dir}`);
