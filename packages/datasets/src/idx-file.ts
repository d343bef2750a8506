import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import type { NDArray } from "@chainrule/ndarray";
import { DataFileError } from "./errors";
import { type IdxExpectation, parseIdx } from "./idx";

const gunzipAsync = promisify(gunzip);

/**
 * A file's bytes, gunzipped if they start with the gzip magic; errors name the file. `maxBytes` caps the
 * decompressed size (zlib stops as soon as it is passed), so a gzip bomb costs at most that much memory.
 */
export async function readMaybeGzipped(path: string, maxBytes?: number): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new DataFileError(path, e.code === "ENOENT" ? "not found" : `cannot be read (${e.message})`);
  }
  if (!(raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b)) return plain(raw);
  try {
    // Async gunzip runs on libuv's thread pool, so several files decompress in parallel.
    return plain(await gunzipAsync(raw, maxBytes === undefined ? {} : { maxOutputLength: maxBytes }));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ERR_BUFFER_TOO_LARGE")
      throw new DataFileError(
        path,
        `gzip data decompresses to more than ${maxBytes} bytes, the most this file may hold`,
      );
    const truncated = e.code === "Z_BUF_ERROR" || /unexpected end/i.test(e.message);
    throw new DataFileError(path, `${truncated ? "truncated" : "corrupt"} gzip data (${e.message})`);
  }
}

/** A plain Uint8Array over a Buffer's memory, so no Buffer-only semantics leak into NDArrays. */
function plain(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Reads an IDX file, gzipped or raw, checking its header and size (see parseIdx). */
export async function readIdxFile(path: string, expect: IdxExpectation = {}): Promise<NDArray> {
  return parseIdx(await readMaybeGzipped(path), path, expect);
}
