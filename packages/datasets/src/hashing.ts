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
}

export function describeDigest(d: Digest): string {
  return d.of === "gunzipped" ? `${d.algorithm}(gunzipped) ${d.hex}` : `${d.algorithm} ${d.hex}`;
}

export function hashBytes(algorithm: HashAlgorithm, bytes: Uint8Array): string {
  return createHash(algorithm).update(bytes).digest("hex");
}

/** Hashes a file as it streams from disk (optionally gunzipping it); undefined if it is not valid gzip. */
export async function hashFile(
  path: string,
  algorithm: HashAlgorithm,
  gunzip = false,
): Promise<string | undefined> {
  const hash = createHash(algorithm);
  try {
    const sink = async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) hash.update(chunk);
    };
    if (gunzip) await pipeline(createReadStream(path), createGunzip(), sink);
    else await pipeline(createReadStream(path), sink);
  } catch (err) {
    if (gunzip && (err as NodeJS.ErrnoException).code?.startsWith("Z_")) return undefined;
    throw err;
  }
  return hash.digest("hex");
}
