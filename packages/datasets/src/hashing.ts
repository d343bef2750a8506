import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

export type HashAlgorithm = "md5" | "sha1" | "sha256";

/** A checksum a file may match: of its bytes, or of its content after gunzip. */
export interface Digest {
  algorithm: HashAlgorithm;
  hex: string;
  of?: "file" | "gunzipped";
  /** For `of: "gunzipped"`: stop decompressing past this many bytes (a gzip bomb), and the digest fails. */
  maxBytes?: number;
}

export function describeDigest(d: Digest): string {
  return d.of === "gunzipped" ? `${d.algorithm}(gunzipped) ${d.hex}` : `${d.algorithm} ${d.hex}`;
}

export function hashBytes(algorithm: HashAlgorithm, bytes: Uint8Array): string {
  return createHash(algorithm).update(bytes).digest("hex");
}

/** Thrown by `hashFile` when the decompressed stream passes its `maxBytes`. */
export class TooLargeError extends Error {
  override name = "TooLargeError";
}

/**
 * Hashes a file as it streams from disk (optionally gunzipping it); undefined if it is not valid gzip.
 * Past `maxBytes` of output the stream is destroyed at once and a `TooLargeError` is thrown.
 */
export async function hashFile(
  path: string,
  algorithm: HashAlgorithm,
  gunzip = false,
  maxBytes = Infinity,
): Promise<string | undefined> {
  const hash = createHash(algorithm);
  const tooLarge = new TooLargeError(`${path} decompresses to more than ${maxBytes} bytes`);
  let total = 0;
  let zlibError: NodeJS.ErrnoException | undefined;
  try {
    const sink = async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        total += chunk.length;
        if (total > maxBytes) throw tooLarge;
        hash.update(chunk);
      }
    };
    if (gunzip) {
      const inflate = createGunzip();
      // pipeline may report zlib's error as a bare AbortError; keep the real one (e.g. bytes after the gzip end).
      inflate.on("error", (e: NodeJS.ErrnoException) => (zlibError ??= e));
      await pipeline(createReadStream(path), inflate, sink);
    } else await pipeline(createReadStream(path), sink);
  } catch (err) {
    // pipeline reports the sink's throw as an AbortError; the count says why it stopped.
    if (total > maxBytes) throw tooLarge;
    const zlibCode = (zlibError ?? (err as NodeJS.ErrnoException)).code;
    if (gunzip && zlibCode?.startsWith("Z_")) return undefined;
    throw err;
  }
  return hash.digest("hex");
}
