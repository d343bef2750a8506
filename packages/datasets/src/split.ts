import { NDArray, Random, formatShape } from "@chainrule/ndarray";
import { takeRows } from "./rows";

export interface TrainTestSplitOptions {
  /** Fraction of rows in (0, 1), or a row count, for the test set (rounded up, as scikit-learn). Default 0.25. */
  testSize?: number;
  /** Seed of the shuffle. Without one, every call differs. */
  seed?: number | string;
  /** Shuffle before splitting; otherwise the test set is the last rows. Default true. */
  shuffle?: boolean;
  /** Keep each class's share equal in both sets: `true` uses `y` as the classes, or pass the labels. */
  stratify?: boolean | NDArray | readonly number[];
}

export interface TrainTestSplit {
  xTrain: NDArray;
  xTest: NDArray;
  yTrain: NDArray;
  yTest: NDArray;
}

function testCount(n: number, testSize: number): number {
  const count = testSize > 0 && testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (!Number.isInteger(count) || count < 1 || count > n - 1) {
    throw new RangeError(
      `trainTestSplit: testSize ${testSize} gives ${count} test rows of ${n}; both sets need at least one row (use a fraction in (0, 1) or a count)`,
    );
  }
  return count;
}

/**
 * Splits `count` test rows among classes in proportion to their size: floors of the exact shares,
 * then the leftover rows to the largest remainders (larger classes first on ties).
 */
function stratifiedCounts(sizes: readonly number[], n: number, count: number): number[] {
  const shares = sizes.map((s) => (s * count) / n);
  const out = shares.map(Math.floor);
  let left = count - out.reduce((a, b) => a + b, 0);
  const byRemainder = sizes
    .map((_, c) => c)
    .sort((a, b) => shares[b]! - out[b]! - (shares[a]! - out[a]!) || sizes[b]! - sizes[a]!);
  for (const c of byRemainder) {
    if (left === 0) break;
    out[c]!++;
    left--;
  }
  return out;
}

/** Row indices of a train/test split (see trainTestSplit). */
export function trainTestSplitIndices(
  n: number,
  options: Omit<TrainTestSplitOptions, "stratify"> & { stratify?: ArrayLike<number> } = {},
): { train: Int32Array; test: Int32Array } {
  const nTest = testCount(n, options.testSize ?? 0.25);
  const shuffle = options.shuffle ?? true;
  const rng = new Random(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  if (!options.stratify) {
    const order = shuffle ? rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    // Shuffled: the test set comes first (as scikit-learn); unshuffled: the test set is the tail.
    return shuffle
      ? { test: order.slice(0, nTest), train: order.slice(nTest) }
      : { train: order.slice(0, n - nTest), test: order.slice(n - nTest) };
  }
  const labels = options.stratify;
  if (labels.length !== n)
    throw new RangeError(`trainTestSplit: stratify has ${labels.length} labels for ${n} rows`);
  if (!shuffle)
    throw new RangeError("trainTestSplit: stratify needs shuffle (a stratified split picks rows at random)");
  const classes = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const rows = classes.get(labels[i]!);
    if (rows) rows.push(i);
    else classes.set(labels[i]!, [i]);
  }
  const groups = [...classes.entries()].sort((a, b) => a[0] - b[0]).map(([, rows]) => rows);
  const counts = stratifiedCounts(
    groups.map((g) => g.length),
    n,
    nTest,
  );
  const train: number[] = [];
  const test: number[] = [];
  groups.forEach((rows, c) => {
    rng.shuffle(rows);
    test.push(...rows.slice(0, counts[c]));
    train.push(...rows.slice(counts[c]));
  });
  // Interleave the classes again, so neither set is sorted by class.
  return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) };
}

/** Splits rows of `x` and `y` into train and test sets, optionally keeping class proportions. */
export function trainTestSplit(x: NDArray, y: NDArray, options: TrainTestSplitOptions = {}): TrainTestSplit {
  const n = x.shape[0];
  if (n === undefined || y.shape[0] !== n) {
    throw new RangeError(
      `trainTestSplit: x ${formatShape(x.shape)} and y ${formatShape(y.shape)} need the same number of rows`,
    );
  }
  const { stratify } = options;
  const labels =
    stratify === true
      ? y.dataSync()
      : stratify instanceof NDArray
        ? stratify.dataSync()
        : stratify || undefined;
  if (stratify === true && y.ndim !== 1) {
    throw new RangeError(
      `trainTestSplit: stratify: true needs y of shape [n], got ${formatShape(y.shape)}; pass the labels instead`,
    );
  }
  const { train, test } = trainTestSplitIndices(n, { ...options, stratify: labels });
  return {
    xTrain: takeRows(x, train),
    xTest: takeRows(x, test),
    yTrain: takeRows(y, train),
    yTest: takeRows(y, test),
  };
}
