import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { dirname } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type Digest, describeDigest, type HashAlgorithm, hashFile, TooLargeError } from "./hashing";

export class DownloadError extends Error {
  override name = "DownloadError";

  constructor(
    readonly url: string,
    problem: string,
  ) {
    super(`${url}: ${problem}`);
  }
}

export interface DownloadOptions {
  /** The file is kept only if it matches one of these (e.g. the upstream .gz md5, or the sha256 of its content). */
  accept: readonly Digest[];
  /** Continue an interrupted download from its `.part` file with an HTTP Range request. Default true. */
  resume?: boolean;
  /** Give up when the server sends nothing for this long. Default 30 s. */
  timeoutMs?: number;
  onProgress?: (received: number, total: number | undefined) => void;
}

const MAX_REDIRECTS = 5;

/**
 * Downloads `url` to `dest` so that `dest` only ever holds verified data: bytes stream into
 * `dest.part` (hashed on the way), which is fsynced and renamed onto `dest` only when a checksum
 * matches. On a mismatch the `.part` is deleted and a DownloadError says what was expected and what
 * arrived. If the connection drops, the `.part` stays and the next call resumes it (or starts over
 * if the server ignores Range); a resumed file that fails the checksum is fetched once more from scratch.
 */
export async function downloadVerified(url: string, dest: string, options: DownloadOptions): Promise<void> {
  const { accept, resume = true } = options;
  if (accept.length === 0) throw new TypeError("downloadVerified: give at least one accepted checksum");
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  if (!resume) await rm(part, { force: true });
  for (let attempt = 0; ; attempt++) {
    const resumedFrom = await fileSize(part);
    const streamed = await fetchToPart(url, part, resumedFrom, options);
    const { ok, actual } = await verify(part, accept, streamed);
    if (ok) {
      await syncFile(part);
      await rename(part, dest);
      await syncDir(dirname(dest));
      return;
    }
    await rm(part, { force: true });
    if (resumedFrom > 0 && attempt === 0) continue; // the old .part may belong to another version of the file
    throw new DownloadError(
      url,
      `checksum mismatch for ${dest}: expected ${accept.map(describeDigest).join(" or ")}, got ${actual.join(", ")}; the download was discarded`,
    );
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Appends the rest of `url` (from byte `offset`) to `part`; returns the file hashes of the whole `.part`. */
async function fetchToPart(
  url: string,
  part: string,
  offset: number,
  options: DownloadOptions,
): Promise<Map<HashAlgorithm, string>> {
  const algorithms = [...new Set(options.accept.filter((d) => d.of !== "gunzipped").map((d) => d.algorithm))];
  const res = await get(url, offset > 0 ? { Range: `bytes=${offset}-` } : {}, options.timeoutMs ?? 30_000);
  const append = res.statusCode === 206 && offset > 0 && contentRangeStart(res) === offset;
  if (offset > 0 && (res.statusCode === 416 || (res.statusCode === 206 && !append))) {
    // 416: our .part is at least as long as the file, so not a prefix of it; 206 from elsewhere: not ours. Start over.
    res.resume();
    await rm(part, { force: true });
    return fetchToPart(url, part, 0, options);
  }
  if (!append && res.statusCode !== 200) {
    res.resume();
    throw new DownloadError(url, `HTTP ${res.statusCode} ${res.statusMessage ?? ""}`.trim());
  }
  const hashes = new Map<HashAlgorithm, Hash>(algorithms.map((a) => [a, createHash(a)]));
  if (append && hashes.size > 0) await pipeline(createReadStream(part), hashInto(hashes));
  const start = append ? offset : 0;
  const length =
    res.headers["content-length"] === undefined ? undefined : Number(res.headers["content-length"]);
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      for (const h of hashes.values()) h.update(chunk);
      options.onProgress?.(start + received, length === undefined ? undefined : start + length);
      done(null, chunk);
    },
  });
  try {
    await pipeline(res, counter, createWriteStream(part, { flags: append ? "a" : "w" }));
    if (length !== undefined && received !== length) throw new Error(`got ${received} of ${length} bytes`);
  } catch (err) {
    throw new DownloadError(
      url,
      `interrupted after ${start + received} bytes (${(err as Error).message}); ${part} is kept and the next try resumes from it`,
    );
  }
  return new Map([...hashes].map(([a, h]) => [a, h.digest("hex")]));
}

function hashInto(hashes: Map<HashAlgorithm, Hash>) {
  return async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) for (const h of hashes.values()) h.update(chunk);
  };
}

function contentRangeStart(res: IncomingMessage): number | undefined {
  const m = /^bytes (\d+)-/.exec(res.headers["content-range"] ?? "");
  return m ? Number(m[1]) : undefined;
}

async function verify(
  part: string,
  accept: readonly Digest[],
  streamed: Map<HashAlgorithm, string>,
): Promise<{ ok: boolean; actual: string[] }> {
  const actual: string[] = [];
  for (const d of accept) {
    let got: string | undefined;
    try {
      got =
        d.of === "gunzipped"
          ? await hashFile(part, d.algorithm, true, d.maxBytes)
          : streamed.get(d.algorithm);
    } catch (e) {
      if (!(e instanceof TooLargeError)) throw e;
      actual.push(`${d.algorithm}(gunzipped) (more than ${d.maxBytes} bytes after gunzip)`);
      continue;
    }
    if (got === d.hex.toLowerCase()) return { ok: true, actual };
    actual.push(
      d.of === "gunzipped"
        ? `${d.algorithm}(gunzipped) ${got ?? "(not valid gzip)"}`
        : `${d.algorithm} ${got}`,
    );
  }
  return { ok: false, actual };
}

/** GET with redirects followed; resolves once the response headers arrive. */
function get(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  redirects = 0,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith("https:") ? https : url.startsWith("http:") ? http : undefined;
    if (!client) return reject(new DownloadError(url, "only http: and https: URLs can be downloaded"));
    const req = client.get(url, { headers }, (res) => {
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS)
          return reject(new DownloadError(url, `more than ${MAX_REDIRECTS} redirects`));
        return resolve(get(new URL(location, url).href, headers, timeoutMs, redirects + 1));
      }
      resolve(res);
    });
    // Covers the whole transfer: a stalled body errors the response stream too.
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no data for ${timeoutMs} ms`)));
    req.on("error", (err) => reject(new DownloadError(url, err.message)));
  });
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the rename durable; some platforms cannot open directories, which is harmless to skip. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    await handle.sync().finally(() => handle.close());
  } catch {
    /* best effort */
  }
}
