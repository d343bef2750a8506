import { Dataset } from "./dataset";
import type { ArrayTree } from "./tree";

export interface DataLoaderOptions {
  /** Elements per batch. Default 32. */
  batchSize?: number;
  /** Reshuffle on every epoch. Default false. */
  shuffle?: boolean;
  /** Seed for the shuffle order (epoch k's order depends only on the seed and k). */
  seed?: number | string;
  /** Drop a last, smaller batch. Default false. */
  dropLast?: boolean;
}

/**
 * PyTorch-style sugar over a Dataset pipeline: `new DataLoader(data, { batchSize, shuffle, seed })` is
 * `data.shuffle({ seed }).batch(batchSize, { dropLast })`. Each `for...of` is one epoch.
 */
export class DataLoader<T extends ArrayTree> implements Iterable<T>, AsyncIterable<T> {
  /** The batched pipeline this loader iterates. */
  readonly batches: Dataset<T>;
  readonly batchSize: number;
  private epochsStarted = 0;

  /** `data` is a Dataset, or arrays for `Dataset.fromArrays` (e.g. `{ x, y }`). */
  constructor(data: Dataset<T> | T, options: DataLoaderOptions = {}) {
    this.batchSize = options.batchSize ?? 32;
    let dataset = data instanceof Dataset ? (data as Dataset<T>) : Dataset.fromArrays(data as T);
    if (options.shuffle) dataset = dataset.shuffle({ seed: options.seed });
    this.batches = dataset.batch(this.batchSize, { dropLast: options.dropLast });
  }

  /** Batches per epoch (undefined when the dataset's size is unknown). */
  get length(): number | undefined {
    return this.batches.length;
  }

  /** How many epochs have been started by iterating this loader. */
  get epoch(): number {
    return this.epochsStarted;
  }

  [Symbol.iterator](): Iterator<T> {
    this.epochsStarted++;
    return this.batches[Symbol.iterator]();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    this.epochsStarted++;
    return this.batches[Symbol.asyncIterator]();
  }
}
