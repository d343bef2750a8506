import { contiguous, Random, formatShape } from "@chainrule/ndarray";
import { rowView, stackRows, takeRows } from "./rows";
import { type ArrayTree, mapTree, treeLeaves, zipTrees } from "./tree";

/** Elements that can be fetched by index: lets shuffle permute indices and batch gather rows. */
interface Indexed<T> {
  /** The indices of one pass, in order (a fresh array the caller may modify). */
  order(): Int32Array;
  at(i: number): T;
  /** The elements at `indices` stacked into one batch, for sources that can do it in one copy per leaf. */
  gather?(indices: Int32Array): T;
}

/** One stage of a pipeline. */
interface Source<T> {
  /** Elements per pass: a count, Infinity for an endless repeat, undefined when unknown. */
  readonly length: number | undefined;
  /** Starts a pass. Stages that shuffle draw a new order each time this is called. */
  open(): Iterator<T>;
  readonly indexed?: Indexed<T>;
}

function* byIndex<T>(indexed: Indexed<T>): Iterator<T> {
  for (const i of indexed.order()) yield indexed.at(i);
}

function range(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function collate<T extends ArrayTree>(items: readonly T[]): T {
  return zipTrees(items, (leaves, path) => stackRows(leaves, `batch: '${path}'`));
}

function seedOrRandom(seed: number | string | undefined): number | string {
  return seed ?? Math.floor(Math.random() * 2 ** 32);
}

function checkCount(name: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${n}`);
}

/** Rows of NDArrays that share their leading dimension. */
function arraySource<T extends ArrayTree>(arrays: T): Source<T> {
  const first = treeLeaves(arrays)[0];
  if (!first) throw new RangeError("Dataset.fromArrays: no arrays given");
  const length = first.shape[0] ?? 0;
  // Contiguous once here, so that per-batch row copies are plain memory copies.
  const tree = mapTree(arrays, (leaf, path) => {
    if (leaf.ndim === 0 || leaf.shape[0] !== length) {
      throw new RangeError(
        `Dataset.fromArrays: '${path}' has shape ${formatShape(leaf.shape)} but the first array has ${formatShape(first.shape)}: all need the same number of rows`,
      );
    }
    return contiguous(leaf);
  });
  const indexed: Indexed<T> = {
    order: () => range(length),
    at: (i) => mapTree(tree, (leaf) => rowView(leaf, i)),
    gather: (indices) => mapTree(tree, (leaf) => takeRows(leaf, indices)),
  };
  return { length, indexed, open: () => byIndex(indexed) };
}

function mapSource<T, U>(up: Source<T>, fn: (element: T) => U): Source<U> {
  const upIndexed = up.indexed;
  const indexed: Indexed<U> | undefined = upIndexed && {
    order: () => upIndexed.order(),
    at: (i) => fn(upIndexed.at(i)),
  };
  return {
    length: up.length,
    indexed,
    *open() {
      const it = up.open();
      for (let r = it.next(); !r.done; r = it.next()) yield fn(r.value);
    },
  };
}

function filterSource<T>(up: Source<T>, keep: (element: T) => boolean): Source<T> {
  return {
    length: up.length === Infinity ? Infinity : undefined,
    *open() {
      const it = up.open();
      for (let r = it.next(); !r.done; r = it.next()) if (keep(r.value)) yield r.value;
    },
  };
}

function shuffleSource<T>(up: Source<T>, rng: Random, bufferSize: number): Source<T> {
  const upIndexed = up.indexed;
  if (upIndexed) {
    // Permutes indices only: the data is never copied to shuffle it.
    const indexed: Indexed<T> = {
      order: () => rng.shuffle(upIndexed.order()),
      at: upIndexed.at,
      gather: upIndexed.gather,
    };
    return { length: up.length, indexed, open: () => byIndex(indexed) };
  }
  return {
    length: up.length,
    // Streams without random access: keep `bufferSize` elements and emit a random one of them each step.
    *open() {
      const buffer: T[] = [];
      const it = up.open();
      for (let r = it.next(); !r.done; r = it.next()) {
        if (buffer.length < bufferSize) {
          buffer.push(r.value);
          continue;
        }
        const j = Math.floor(rng.random() * bufferSize);
        yield buffer[j]!;
        buffer[j] = r.value;
      }
      rng.shuffle(buffer);
      yield* buffer;
    },
  };
}

function batchSource<T extends ArrayTree>(up: Source<T>, size: number, dropLast: boolean): Source<T> {
  const n = up.length;
  const length =
    n === undefined || n === Infinity ? n : dropLast ? Math.floor(n / size) : Math.ceil(n / size);
  const upIndexed = up.indexed;
  if (upIndexed) {
    return {
      length,
      *open() {
        const order = upIndexed.order();
        const end = dropLast ? order.length - (order.length % size) : order.length;
        for (let start = 0; start < end; start += size) {
          const indices = order.subarray(start, Math.min(start + size, end));
          yield upIndexed.gather ? upIndexed.gather(indices) : collate(Array.from(indices, upIndexed.at));
        }
      },
    };
  }
  return {
    length,
    *open() {
      let pending: T[] = [];
      const it = up.open();
      for (let r = it.next(); !r.done; r = it.next()) {
        pending.push(r.value);
        if (pending.length === size) {
          yield collate(pending);
          pending = [];
        }
      }
      if (pending.length > 0 && !dropLast) yield collate(pending);
    },
  };
}

function repeatSource<T>(up: Source<T>, count: number): Source<T> {
  const n = up.length;
  return {
    length: count === Infinity ? (n === 0 ? 0 : Infinity) : n === undefined ? undefined : n * count,
    *open() {
      for (let pass = 0; pass < count; pass++) {
        let any = false;
        const it = up.open();
        for (let r = it.next(); !r.done; r = it.next()) {
          any = true;
          yield r.value;
        }
        if (!any) return; // an empty pass would make an endless repeat spin forever
      }
    },
  };
}

function takeSource<T>(up: Source<T>, count: number): Source<T> {
  const upIndexed = up.indexed;
  const indexed: Indexed<T> | undefined = upIndexed && {
    order: () => upIndexed.order().subarray(0, count),
    at: upIndexed.at,
    gather: upIndexed.gather,
  };
  return {
    length: up.length === undefined ? undefined : Math.min(up.length, count),
    indexed,
    *open() {
      if (count === 0) return;
      let taken = 0;
      const it = up.open();
      for (let r = it.next(); !r.done; r = it.next()) {
        yield r.value;
        if (++taken >= count) return;
      }
    },
  };
}

export interface ShuffleOptions {
  /** Seed of the generator that draws each pass's order. Without one the order differs between runs. */
  seed?: number | string;
  /** For sources without random access (generators): how many elements to shuffle among. Default 1024. */
  bufferSize?: number;
}

export interface BatchOptions {
  /** Drop a last batch that would be smaller than the others. Default false. */
  dropLast?: boolean;
}

/**
 * A lazy, re-iterable pipeline of elements (tf.data style). Each `for...of` / `for await` is one pass;
 * a shuffled stage draws a new order from its seeded generator on every pass, so epoch k's order
 * depends only on the seed and k. Stages over arrays work on row indices, so shuffling and
 * batching copy only the rows of each batch, never the whole dataset.
 */
export class Dataset<T> implements Iterable<T>, AsyncIterable<T> {
  // The bundler names a class that refers to itself `_Dataset`; keep the public name (logs, inspect).
  static {
    Object.defineProperty(this, "name", { value: "Dataset" });
  }

  private constructor(private readonly source: Source<T>) {}

  /** Rows of NDArrays that share their first dimension: `fromArrays({ x, y })` gives elements `{ x: x[i], y: y[i] }`. */
  static fromArrays<T extends ArrayTree>(arrays: T): Dataset<T> {
    return new Dataset(arraySource(arrays));
  }

  /** A dataset of the given elements (kept by reference). */
  static fromElements<T>(elements: readonly T[]): Dataset<T> {
    const indexed: Indexed<T> = { order: () => range(elements.length), at: (i) => elements[i]! };
    return new Dataset({ length: elements.length, indexed, open: () => byIndex(indexed) });
  }

  /** A streaming dataset: `make` is called once per pass and returns that pass's elements. */
  static fromGenerator<T>(make: () => Iterable<T>): Dataset<T> {
    return new Dataset({ length: undefined, open: () => make()[Symbol.iterator]() });
  }

  /** Elements per pass: a count, Infinity after an endless `repeat()`, undefined when unknown (generators, filter). */
  get length(): number | undefined {
    return this.source.length;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.source.open();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const it = this.source.open();
    for (let r = it.next(); !r.done; r = it.next()) yield r.value;
  }

  /** Applies `fn` to each element as it is read (before `batch`: per example; after: per batch). */
  map<U>(fn: (element: T) => U): Dataset<U> {
    return new Dataset(mapSource(this.source, fn));
  }

  filter(keep: (element: T) => boolean): Dataset<T> {
    return new Dataset(filterSource(this.source, keep));
  }

  /** Reorders elements, differently on each pass, from a generator seeded once. */
  shuffle(options: ShuffleOptions = {}): Dataset<T> {
    const bufferSize = options.bufferSize ?? 1024;
    checkCount("shuffle: bufferSize", bufferSize, 1);
    return new Dataset(shuffleSource(this.source, new Random(seedOrRandom(options.seed)), bufferSize));
  }

  /** Groups `size` consecutive elements into one, stacking every NDArray along a new first axis. */
  batch<U extends ArrayTree>(this: Dataset<U>, size: number, options: BatchOptions = {}): Dataset<U> {
    checkCount("batch: size", size, 1);
    return new Dataset(batchSource(this.source, size, options.dropLast ?? false));
  }

  /** Passes over the data `count` times (default: forever); shuffled stages reshuffle on each pass. */
  repeat(count = Infinity): Dataset<T> {
    if (count !== Infinity) checkCount("repeat: count", count, 0);
    return new Dataset(repeatSource(this.source, count));
  }

  /** The first `count` elements of each pass. */
  take(count: number): Dataset<T> {
    checkCount("take: count", count, 0);
    return new Dataset(takeSource(this.source, count));
  }

  /** Reads one pass into an array. */
  toArray(): T[] {
    if (this.length === Infinity)
      throw new RangeError("toArray: the dataset repeats forever; take() some first");
    return Array.from(this);
  }
}
