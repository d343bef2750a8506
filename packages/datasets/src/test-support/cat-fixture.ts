import h5wasm from "h5wasm/node";

export interface CatFileSpec {
  prefix: "train_set" | "test_set";
  n: number;
  /** Image shape after N. Default [64, 64, 3]. */
  pixel?: number[];
  labels?: bigint[];
  /** Leave these datasets out. */
  omit?: string[];
}

/** Writes a small HDF5 file laid out like the course's train/test_catvnoncat.h5. */
export async function writeCatFile(path: string, spec: CatFileSpec): Promise<void> {
  await h5wasm.ready;
  const { prefix, n, pixel = [64, 64, 3] } = spec;
  const labels = spec.labels ?? Array.from({ length: n }, (_, i) => BigInt(i % 2));
  const size = n * pixel.reduce((a, b) => a * b, 1);
  const file = new h5wasm.File(path, "w");
  try {
    const put = (name: string, make: () => void) => (spec.omit?.includes(name) ? undefined : make());
    put(`${prefix}_x`, () =>
      file.create_dataset({
        name: `${prefix}_x`,
        data: Uint8Array.from({ length: size }, (_, i) => i % 256),
        shape: [n, ...pixel],
        dtype: "<B",
      }),
    );
    put(`${prefix}_y`, () =>
      file.create_dataset({
        name: `${prefix}_y`,
        data: BigInt64Array.from(labels),
        shape: [labels.length],
        dtype: "<q",
      }),
    );
    put("list_classes", () => file.create_dataset({ name: "list_classes", data: ["non-cat", "cat"] }));
  } finally {
    file.close();
  }
}
