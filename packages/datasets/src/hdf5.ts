import { open } from "node:fs/promises";
import { DataFileError } from "./errors";

type H5wasm = (typeof import("h5wasm/node"))["default"];
type H5File = InstanceType<H5wasm["File"]>;

let loading: Promise<H5wasm> | undefined;

/** h5wasm is ESM-only and starts a wasm module: load it on first use, once. */
async function h5wasm(): Promise<H5wasm> {
  loading ??= import("h5wasm/node").then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return loading;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // "\x89HDF\r\n\x1a\n"

/**
 * True if the HDF5 signature is at offset 0, 512, 1024, 2048… (where the format allows it). Checked
 * first because h5wasm answers other files with pages of C diagnostics and a vague error.
 */
async function hasHdf5Signature(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const buf = Buffer.alloc(SIGNATURE.length);
    for (let at = 0; at + SIGNATURE.length <= size; at = at === 0 ? 512 : at * 2) {
      await handle.read(buf, 0, SIGNATURE.length, at);
      if (SIGNATURE.every((b, i) => buf[i] === b)) return true;
    }
    return false;
  } finally {
    await handle.close();
  }
}

/** Opens an HDF5 file read-only, runs `use` on it and closes it; errors name the file. */
export async function withHdf5File<T>(path: string, use: (file: H5File) => T): Promise<T> {
  let isHdf5: boolean;
  try {
    isHdf5 = await hasHdf5Signature(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new DataFileError(path, e.code === "ENOENT" ? "not found" : `cannot be read (${e.message})`);
  }
  if (!isHdf5) throw new DataFileError(path, "is not an HDF5 file (no HDF5 signature)");
  const h5 = await h5wasm();
  let file: H5File;
  try {
    file = new h5.File(path, "r");
  } catch (err) {
    throw new DataFileError(path, `could not be opened as HDF5 (${(err as Error).message})`);
  }
  try {
    return use(file);
  } catch (err) {
    if (err instanceof DataFileError) throw err;
    // h5wasm's own messages ("name not defined!") do not say what is wrong; a damaged file is the usual cause.
    throw new DataFileError(
      path,
      `could not be read as HDF5, it may be truncated or corrupt (${(err as Error).message})`,
    );
  } finally {
    file.close();
  }
}

/** A dataset's shape and value, or an error naming the dataset and the file. */
export function readHdf5Dataset(
  file: H5File,
  path: string,
  name: string,
): { shape: number[]; value: unknown } {
  const entity = file.keys().includes(name) ? file.get(name) : null;
  if (!entity || !("shape" in entity) || !("value" in entity)) {
    throw new DataFileError(
      path,
      `has no dataset '${name}' (it has: ${file.keys().join(", ") || "nothing"})`,
    );
  }
  return { shape: (entity.shape as number[] | null) ?? [], value: entity.value };
}
