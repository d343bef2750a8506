import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { NDArray } from "@chainrule/ndarray";
import { encodeIdx } from "../idx";

/** IDX bytes for `n` synthetic 28×28 images (pixel = image index) and labels `i % 10`. */
export function fashionLike(n: number, size = 28): { images: Uint8Array; labels: Uint8Array } {
  const pixels = new Uint8Array(n * size * size);
  for (let i = 0; i < n; i++) pixels.fill(i, i * size * size, (i + 1) * size * size);
  return {
    images: encodeIdx(new NDArray(pixels, [n, size, size], "uint8")),
    labels: encodeIdx(
      new NDArray(
        Uint8Array.from({ length: n }, (_, i) => i % 10),
        [n],
        "uint8",
      ),
    ),
  };
}

/** Writes the four Fashion-MNIST files (gzipped unless `raw`) with `train` and `test` synthetic images. */
export function writeFashionLike(dir: string, train: number, test: number, raw = false): void {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, bytes: Uint8Array) =>
    writeFileSync(join(dir, raw ? name : `${name}.gz`), raw ? bytes : gzipSync(bytes));
  const a = fashionLike(train);
  const b = fashionLike(test);
  write("train-images-idx3-ubyte", a.images);
  write("train-labels-idx1-ubyte", a.labels);
  write("t10k-images-idx3-ubyte", b.images);
  write("t10k-labels-idx1-ubyte", b.labels);
}
