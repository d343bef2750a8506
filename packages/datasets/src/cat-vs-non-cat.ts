import { NDArray, formatShape } from "@chainrule/ndarray";
import { DataFileError } from "./errors";
import type { LabeledImages } from "./labeled-images";
import { hashFile } from "./hashing";
import { readHdf5Dataset, withHdf5File } from "./hdf5";
import { describeDirs, findFile, searchDirs } from "./locations";

export const CAT_VS_NON_CAT_CLASS_NAMES: readonly string[] = ["non-cat", "cat"];

/** The two files (from the deeplearning.ai course) and the sha256 of the copies this project tests with. */
export const CAT_VS_NON_CAT_FILES = {
  train: {
    name: "train_catvnoncat.h5",
    prefix: "train_set",
    sha256: "fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242",
  },
  test: {
    name: "test_catvnoncat.h5",
    prefix: "test_set",
    sha256: "6a9d39ce52fa85953c5834695b8534a30ed8cfd54971fb2f080b5a24d002b951",
  },
} as const;

export interface CatVsNonCatOptions {
  /** Look here first. */
  dir?: string;
  /** Cache root; files are looked for in `<cacheDir>/catvnoncat`. */
  cacheDir?: string;
  /**
   * Check each file's sha256 against `CAT_VS_NON_CAT_FILES` before reading it (default true): a flipped pixel
   * or label is a `DataFileError`. Pass `false` for re-exports of the files with other bytes.
   */
  verify?: boolean;
}

export interface CatVsNonCat {
  /** 209 images, uint8 [209, 64, 64, 3]; labels int32 [209] (1 = cat). */
  train: LabeledImages;
  /** 50 images, uint8 [50, 64, 64, 3]. */
  test: LabeledImages;
  classNames: string[];
  files: { train: string; test: string };
}

/**
 * Loads the cat-vs-non-cat images from train_catvnoncat.h5 and test_catvnoncat.h5, looking in: the
 * `dir` option, `$CHAINRULE_DATA_DIR/catvnoncat`, `<cache>/catvnoncat`. Nothing is downloaded.
 */
export async function loadCatVsNonCat(options: CatVsNonCatOptions = {}): Promise<CatVsNonCat> {
  const dirs = searchDirs("catvnoncat", options);
  const files = { train: "", test: "" };
  for (const split of ["train", "test"] as const) {
    const found = findFile(dirs, [CAT_VS_NON_CAT_FILES[split].name])?.file;
    if (!found) {
      throw new Error(
        `cat-vs-non-cat: ${CAT_VS_NON_CAT_FILES[split].name} not found in ${describeDirs(dirs)}. ` +
          `Put train_catvnoncat.h5 and test_catvnoncat.h5 in one of them, or pass dir.`,
      );
    }
    files[split] = found;
  }
  if (options.verify !== false) {
    for (const split of ["train", "test"] as const)
      await verifySha256(files[split], CAT_VS_NON_CAT_FILES[split].sha256);
  }
  const train = await readSplit(files.train, CAT_VS_NON_CAT_FILES.train.prefix);
  const test = await readSplit(files.test, CAT_VS_NON_CAT_FILES.test.prefix);
  return { train: train.data, test: test.data, classNames: train.classNames, files };
}

async function verifySha256(path: string, expected: string): Promise<void> {
  const actual = await hashFile(path, "sha256");
  if (actual !== expected) {
    throw new DataFileError(
      path,
      `sha256 is ${actual}, expected ${expected} (a corrupt or modified copy; pass verify: false to load it anyway)`,
    );
  }
}

async function readSplit(
  path: string,
  prefix: string,
): Promise<{ data: LabeledImages; classNames: string[] }> {
  return withHdf5File(path, (file) => {
    const x = readHdf5Dataset(file, path, `${prefix}_x`);
    const y = readHdf5Dataset(file, path, `${prefix}_y`);
    const [n, ...pixel] = x.shape;
    if (x.shape.length !== 4 || pixel.join() !== "64,64,3") {
      throw new DataFileError(path, `${prefix}_x has shape ${formatShape(x.shape)}, expected [N, 64, 64, 3]`);
    }
    // The course's files store labels as [N]; some re-exports store [1, N].
    if (y.shape.reduce((a, b) => a * b, 1) !== n || y.shape.filter((d) => d !== 1).length > 1) {
      throw new DataFileError(
        path,
        `${prefix}_y has shape ${formatShape(y.shape)}, expected [${n}] to match ${prefix}_x`,
      );
    }
    if (!(x.value instanceof Uint8Array)) {
      throw new DataFileError(path, `${prefix}_x holds ${describe(x.value)}, expected unsigned bytes`);
    }
    const classNames = file.keys().includes("list_classes")
      ? decodeStrings(readHdf5Dataset(file, path, "list_classes").value)
      : [...CAT_VS_NON_CAT_CLASS_NAMES];
    const images = new NDArray(new Uint8Array(x.value), [n!, 64, 64, 3], "uint8");
    return {
      data: { images, labels: toLabels(y.value, path, `${prefix}_y`, classNames.length) },
      classNames,
    };
  });
}

/** int64 (BigInt64Array) or any integer labels to int32, each checked to name a class. */
function toLabels(value: unknown, path: string, name: string, numClasses: number): NDArray {
  if (!ArrayBuffer.isView(value) || value instanceof DataView) {
    throw new DataFileError(path, `${name} holds ${describe(value)}, expected integer labels`);
  }
  const source = value as unknown as ArrayLike<number | bigint>;
  const out = new Int32Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const v = Number(source[i]);
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new DataFileError(
        path,
        `${name}[${i}] is ${source[i]}, not a class index in 0..${numClasses - 1}`,
      );
    }
    out[i] = v;
  }
  return new NDArray(out, [out.length], "int32");
}

function decodeStrings(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((s) =>
    (s instanceof Uint8Array ? new TextDecoder().decode(s) : String(s)).replace(/\0+$/, ""),
  );
}

function describe(value: unknown): string {
  return value === null || value === undefined ? "no data" : (value.constructor?.name ?? typeof value);
}
