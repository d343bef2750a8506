import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { createGunzip, gunzip } from "node:zlib";
import type { NDArray } from "@chainrule/ndarray";
import { DataFileError } from "./errors";
import { IDX_MAX_HEADER_BYTES, type IdxExpectation, idxDeclaredBytes, parseIdx } from "./idx";

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

/**
 * Reads an IDX file, gzipped or raw, checking its header and size (see parseIdx). A gzipped file is
 * decompressed only up to the size its header declares, so a gzip bomb is cut off there.
 */
export async function readIdxFile(path: string, expect: IdxExpectation = {}): Promise<NDArray> {
  const prefix = await gunzippedPrefix(path, IDX_MAX_HEADER_BYTES);
  if (prefix === undefined) return parseIdx(await readMaybeGzipped(path), path, expect);
  const declared = idxDeclaredBytes(prefix);
  if (declared === undefined) return parseIdx(prefix, path, expect); // a bad header: its own error
  return parseIdx(await readMaybeGzipped(path, declared), path, expect);
}

/**
 * The first `n` decompressed bytes of a gzipped file (fewer if it is shorter), or undefined if the file is
 * not gzip; the rest is not decompressed. Errors are left to the full read.
 */
async function gunzippedPrefix(path: string, n: number): Promise<Uint8Array | undefined> {
  const head = Buffer.alloc(2);
  try {
    const handle = await open(path, "r");
    await handle.read(head, 0, 2, 0).finally(() => handle.close());
  } catch {
    return undefined; // the full read names the problem
  }
  if (!(head[0] === 0x1f && head[1] === 0x8b)) return undefined;
  const chunks: Buffer[] = [];
  let got = 0;
  const source = createReadStream(path);
  const inflate = source.pipe(createGunzip());
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= n) break;
    }
  } catch {
    return undefined;
  } finally {
    source.destroy();
    inflate.destroy();
  }
  return plain(Buffer.concat(chunks).subarray(0, n));
}
