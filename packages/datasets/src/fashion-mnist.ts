import { join } from "node:path";
import { NDArray } from "@chainrule/ndarray";
import { downloadVerified } from "./download";
import { DataFileError } from "./errors";
import { hashBytes } from "./hashing";
import { parseIdx } from "./idx";
import { readMaybeGzipped } from "./idx-file";
import type { LabeledImages } from "./labeled-images";
import { datasetCacheDir, describeDirs, findFile, searchDirs } from "./locations";
import { FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_FILES, type FashionFile } from "./fashion-mnist-files";

export { FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_FILES } from "./fashion-mnist-files";

/** The upstream mirror; files are `<base>/<name>.gz`. */
export const FASHION_MNIST_BASE_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com";

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const FASHION_MNIST_SYSTEM_DIRS: readonly string[] = ["/usr/share/datasets/fashion-mnist"];

/** Slack over the known size before decompression is cut off (the checksum rejects any difference anyway). */
const GUNZIP_MARGIN_BYTES = 65_536;

type FileKey = keyof typeof FASHION_MNIST_FILES;

export interface FashionMnistOptions {
  /** Look here first (the files directly inside it, `.gz` or uncompressed). */
  dir?: string;
  /** Cache root; files live in `<cacheDir>/fashion-mnist`. Default `$XDG_CACHE_HOME/chainrule` or `~/.cache/chainrule`. */
  cacheDir?: string;
  /** Download missing files into the cache. Default true. */
  download?: boolean;
  /** Mirror to download from. Default FASHION_MNIST_BASE_URL. */
  baseUrl?: string;
  /** Check found files against the known checksums. Default true (downloads are always checked). */
  verify?: boolean;
  /** Directories searched last, before downloading. Default FASHION_MNIST_SYSTEM_DIRS. */
  systemDirs?: readonly string[];
  onProgress?: (file: string, received: number, total: number | undefined) => void;
  /** Give up a download when the server sends nothing for this long. Default 30 s. */
  timeoutMs?: number;
  /** Give up a file's download when it takes longer than this in all. Default 1 hour. */
  deadlineMs?: number;
  /** Give up a download that is slower than this, averaged over `rateWindowMs` (default 30 s). Default 1024. */
  minBytesPerSecond?: number;
  rateWindowMs?: number;
}

export interface FashionMnist {
  /** images uint8 [60000, 28, 28], labels int32 [60000]. */
  train: LabeledImages;
  test: LabeledImages;
  classNames: string[];
  /** The file each part was read from. */
  files: Record<FileKey, string>;
}

/**
 * Loads Fashion-MNIST (60,000 training and 10,000 test images), looking for each file in: the `dir`
 * option, `$CHAINRULE_DATA_DIR/fashion-mnist`, `<cache>/fashion-mnist`, /usr/share/datasets/fashion-mnist;
 * only then downloading it (verified) into the cache.
 */
export async function loadFashionMnist(options: FashionMnistOptions = {}): Promise<FashionMnist> {
  const keys = Object.keys(FASHION_MNIST_FILES) as FileKey[];
  const files = await allSettled(keys.map((key) => obtain(FASHION_MNIST_FILES[key], options)));
  // allSettled reports the first failure in file order, not whichever read finished first.
  const arrays = await allSettled(
    files.map(({ file, verified }, i) =>
      readChecked(file, FASHION_MNIST_FILES[keys[i]!], options.verify ?? true, verified),
    ),
  );
  const [trainImages, trainLabels, testImages, testLabels] = arrays as [NDArray, NDArray, NDArray, NDArray];
  return {
    train: pair(trainImages, trainLabels, files[0]!.file, files[1]!.file),
    test: pair(testImages, testLabels, files[2]!.file, files[3]!.file),
    classNames: [...FASHION_MNIST_CLASS_NAMES],
    files: Object.fromEntries(keys.map((k, i) => [k, files[i]!.file])) as Record<FileKey, string>,
  };
}

/** Where each file would be loaded from right now (undefined: it would have to be downloaded). */
export function locateFashionMnist(options: FashionMnistOptions = {}): Record<FileKey, string | undefined> {
  const dirs = searchDirs("fashion-mnist", options, options.systemDirs ?? FASHION_MNIST_SYSTEM_DIRS);
  const out = {} as Record<FileKey, string | undefined>;
  for (const [key, spec] of Object.entries(FASHION_MNIST_FILES)) {
    out[key as FileKey] = findFile(dirs, [`${spec.name}.gz`, spec.name])?.file;
  }
  return out;
}

/** Like Promise.all, but waits for every promise to settle, then reports the first error in array order. */
async function allSettled<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

async function obtain(
  spec: FashionFile,
  options: FashionMnistOptions,
): Promise<{ file: string; verified: boolean }> {
  const dirs = searchDirs("fashion-mnist", options, options.systemDirs ?? FASHION_MNIST_SYSTEM_DIRS);
  const found = findFile(dirs, [`${spec.name}.gz`, spec.name]);
  if (found) return { file: found.file, verified: false };
  if (options.download === false) {
    throw new Error(
      `Fashion-MNIST: ${spec.name}.gz not found in ${describeDirs(dirs)}, and download is off. ` +
        `Install it (apt-get install dataset-fashion-mnist), set CHAINRULE_DATA_DIR, or pass download: true.`,
    );
  }
  const dest = join(datasetCacheDir("fashion-mnist", options.cacheDir), `${spec.name}.gz`);
  await downloadVerified(
    `${(options.baseUrl ?? FASHION_MNIST_BASE_URL).replace(/\/+$/, "")}/${spec.name}.gz`,
    dest,
    {
      accept: [
        { algorithm: "md5", hex: spec.gzMd5 },
        {
          algorithm: "sha256",
          hex: spec.sha256,
          of: "gunzipped",
          maxBytes: spec.bytes + GUNZIP_MARGIN_BYTES,
        },
      ],
      onProgress: options.onProgress && ((received, total) => options.onProgress!(dest, received, total)),
      timeoutMs: options.timeoutMs,
      deadlineMs: options.deadlineMs,
      minBytesPerSecond: options.minBytesPerSecond,
      rateWindowMs: options.rateWindowMs,
    },
  );
  return { file: dest, verified: true };
}

async function readChecked(
  file: string,
  spec: FashionFile,
  verify: boolean,
  verified: boolean,
): Promise<NDArray> {
  const bytes = await readMaybeGzipped(file, spec.bytes + GUNZIP_MARGIN_BYTES);
  if (verify && !verified) {
    const actual = hashBytes("sha256", bytes);
    if (actual !== spec.sha256) {
      throw new DataFileError(
        file,
        `checksum mismatch: the decompressed content has sha256 ${actual}, Fashion-MNIST's ${spec.name} has ${spec.sha256}. ` +
          `Replace or delete the file (or pass verify: false to use it anyway).`,
      );
    }
  }
  const array = parseIdx(bytes, file, { rank: spec.rank, type: "ubyte" });
  if (spec.rank === 3 && (array.shape[1] !== 28 || array.shape[2] !== 28)) {
    throw new DataFileError(
      file,
      `images are ${array.shape[1]}×${array.shape[2]}, Fashion-MNIST's are 28×28`,
    );
  }
  return array;
}

function pair(images: NDArray, labelBytes: NDArray, imagesFile: string, labelsFile: string): LabeledImages {
  const n = images.shape[0]!;
  if (labelBytes.size !== n)
    throw new DataFileError(labelsFile, `has ${labelBytes.size} labels but ${imagesFile} has ${n} images`);
  const source = labelBytes.dataSync();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (source[i]! >= FASHION_MNIST_CLASS_NAMES.length) {
      throw new DataFileError(
        labelsFile,
        `label ${source[i]} at index ${i} is outside 0..${FASHION_MNIST_CLASS_NAMES.length - 1}`,
      );
    }
    labels[i] = source[i]!;
  }
  return { images, labels: new NDArray(labels, [n], "int32") };
}
