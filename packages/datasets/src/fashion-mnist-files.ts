// Fashion-MNIST's class names and its files' names, sizes and checksums: plain data with no Node-only
// import, so browser code (apps/playground) checks the files it fetches against the same digests as the
// Node loader (fashion-mnist.ts).

export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

/** One of the dataset's four files. */
export interface FashionFile {
  /** Name without `.gz`. */
  name: string;
  rank: 1 | 3;
  /**
   * sha256 of the decompressed file: the same for upstream's .gz and Debian's repack of it.
   * (Checked against the files' sizes: the 47,040,016-byte file is train-images.)
   */
  sha256: string;
  /** md5 of upstream's .gz, as published with the dataset. */
  gzMd5: string;
  /** Size of the decompressed file: decompression stops just past it (a gzip bomb is cut off). */
  bytes: number;
}

export const FASHION_MNIST_FILES = {
  trainImages: {
    name: "train-images-idx3-ubyte",
    rank: 3,
    sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    gzMd5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    bytes: 47_040_016,
  },
  trainLabels: {
    name: "train-labels-idx1-ubyte",
    rank: 1,
    sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    gzMd5: "25c81989df183df01b3e8a0aad5dffbe",
    bytes: 60_008,
  },
  testImages: {
    name: "t10k-images-idx3-ubyte",
    rank: 3,
    sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    gzMd5: "bef4ecab320f06d8554ea6380940ec79",
    bytes: 7_840_016,
  },
  testLabels: {
    name: "t10k-labels-idx1-ubyte",
    rank: 1,
    sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    gzMd5: "bb300cfdad3c16e7a12a480ee83cd310",
    bytes: 10_008,
  },
} as const satisfies Record<string, FashionFile>;
