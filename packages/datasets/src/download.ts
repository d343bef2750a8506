import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { dirname } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type Digest, describeDigest, type HashAlgorithm, hashFile, TooLargeError } from "./hashing";
import { isProcessAlive, tempFilesOf, tempNameFor } from "./temp-files";
import { type TransferLimits, TransferGuard, transferLimits } from "./transfer-guard";

export class DownloadError extends Error {
  override name = "DownloadError";

  constructor(
    readonly url: string,
    problem: string,
  ) {
    super(`${url}: ${problem}`);
  }
}

export interface DownloadOptions extends Partial<TransferLimits> {
  /** The file is kept only if it matches one of these (e.g. the upstream .gz md5, or the sha256 of its content). */
  accept: readonly Digest[];
  /**
   * Continue an interrupted download from the partial file a previous (now finished) run left, with an HTTP
   * Range request. Default true.
   */
  resume?: boolean;
  onProgress?: (received: number, total: number | undefined) => void;
}

const MAX_REDIRECTS = 5;

/**
 * Partial files this process is writing right now: the pid in their names is alive, so another call here must
 * not adopt them (a finished call's partial, kept for resuming, is free again).
 */
const partsInUse = new Set<string>();

/**
 * Downloads `url` to `dest` so that `dest` only ever holds verified data: bytes stream into a partial file of
 * this call's own (`.<name>.<pid>.<hex>.part`, hashed on the way), which is fsynced and renamed onto `dest`
 * only when a checksum matches. On a mismatch, or content that cannot be checked, the partial is deleted and a
 * DownloadError names the URL. If the connection drops, stalls, trickles under `minBytesPerSecond` or passes
 * `deadlineMs`, the partial stays and a later call resumes it (or starts over if the server ignores Range);
 * a resumed file that fails the checksum is fetched once more from scratch. When several processes download
 * the same file, each writes its own partial; whoever lands second finds the winner's file, checks it and
 * uses it.
 */
export async function downloadVerified(url: string, dest: string, options: DownloadOptions): Promise<void> {
  const { accept, resume = true } = options;
  if (accept.length === 0) throw new TypeError("downloadVerified: give at least one accepted checksum");
  const limits = transferLimits(options);
  const deadlineAt = Date.now() + limits.deadlineMs;
  await mkdir(dirname(dest), { recursive: true });
  const part = await claimPart(dest, resume);
  try {
    for (let attempt = 0; ; attempt++) {
      const resumedFrom = await fileSize(part);
      const streamed = await fetchToPart(url, part, resumedFrom, options, limits, deadlineAt);
      const { ok, actual } = await verifyOrDiscard(url, part, accept, streamed);
      if (ok) return await land(url, part, dest, accept);
      await rm(part, { force: true });
      if (resumedFrom > 0 && attempt === 0) continue; // the old partial may belong to another version of the file
      throw new DownloadError(
        url,
        `checksum mismatch for ${dest}: expected ${accept.map(describeDigest).join(" or ")}, got ${actual.join(", ")}; the download was discarded`,
      );
    }
  } finally {
    partsInUse.delete(part);
  }
}

/**
 * A fresh partial-file name for this call (marked in use; the caller releases it). With `resume`, the largest partial left by a finished writer is
 * renamed to it (rename is atomic, so of two processes adopting the same one, one gets it and the other starts
 * from zero); other abandoned partials of `dest` are removed.
 */
async function claimPart(dest: string, resume: boolean): Promise<string> {
  const part = tempNameFor(dest, "part");
  partsInUse.add(part); // before it exists, so no other call here takes it over
  const abandoned = (await tempFilesOf(dest, "part")).filter(
    (t) => !partsInUse.has(t.path) && (t.pid === process.pid || !isProcessAlive(t.pid)),
  );
  const bySize = await Promise.all(
    abandoned.map(async (t) => ({ path: t.path, size: await fileSize(t.path) })),
  );
  bySize.sort((a, b) => b.size - a.size);
  let adopted = !resume;
  for (const candidate of bySize) {
    if (!adopted && candidate.size > 0) {
      adopted = await rename(candidate.path, part).then(
        () => true,
        () => false, // another process adopted it first
      );
      if (adopted) continue;
    }
    await rm(candidate.path, { force: true });
  }
  return part;
}

/**
 * Puts the verified `part` in place. If `dest` appeared meanwhile (another process won the race) and passes
 * the same check, it is used and `part` dropped; otherwise `part` replaces it.
 */
async function land(url: string, part: string, dest: string, accept: readonly Digest[]): Promise<void> {
  await syncFile(part);
  if (await existingFileVerifies(dest, accept)) return void (await rm(part, { force: true }));
  try {
    await rename(part, dest);
  } catch (err) {
    // Where rename cannot replace an existing file, a winner's verified file is as good as ours.
    if (!(await existingFileVerifies(dest, accept))) {
      await rm(part, { force: true });
      throw new DownloadError(
        url,
        `cannot move the verified download to ${dest} (${(err as Error).message})`,
      );
    }
    await rm(part, { force: true });
  }
  await syncDir(dirname(dest));
}

async function existingFileVerifies(file: string, accept: readonly Digest[]): Promise<boolean> {
  if (!(await fileSize(file))) return false;
  try {
    return (await verify(file, accept, await fileHashes(file, accept))).ok;
  } catch {
    return false;
  }
}

async function fileHashes(file: string, accept: readonly Digest[]): Promise<Map<HashAlgorithm, string>> {
  const out = new Map<HashAlgorithm, string>();
  for (const a of plainAlgorithms(accept)) out.set(a, (await hashFile(file, a)) ?? "");
  return out;
}

const plainAlgorithms = (accept: readonly Digest[]): HashAlgorithm[] => [
  ...new Set(accept.filter((d) => d.of !== "gunzipped").map((d) => d.algorithm)),
];

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Appends the rest of `url` (from byte `offset`) to `part`; returns the file hashes of the whole partial. */
async function fetchToPart(
  url: string,
  part: string,
  offset: number,
  options: DownloadOptions,
  limits: TransferLimits,
  deadlineAt: number,
): Promise<Map<HashAlgorithm, string>> {
  const guard = new TransferGuard(limits, deadlineAt);
  try {
    return await transfer(url, part, offset, options, limits, guard);
  } finally {
    guard.stop();
  }
}

/** One HTTP request into `part` (another from zero if the server will not continue it); the streamed hashes. */
async function transfer(
  url: string,
  part: string,
  offset: number,
  options: DownloadOptions,
  limits: TransferLimits,
  guard: TransferGuard,
): Promise<Map<HashAlgorithm, string>> {
  const algorithms = plainAlgorithms(options.accept);
  const res = await get(url, offset > 0 ? { Range: `bytes=${offset}-` } : {}, limits.timeoutMs, guard);
  const append = res.statusCode === 206 && offset > 0 && contentRangeStart(res) === offset;
  if (offset > 0 && (res.statusCode === 416 || (res.statusCode === 206 && !append))) {
    // 416: our partial is at least as long as the file, so not a prefix of it; 206 from elsewhere: not ours.
    res.resume();
    await rm(part, { force: true });
    return transfer(url, part, 0, options, limits, guard);
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
      guard.received(chunk.length);
      for (const h of hashes.values()) h.update(chunk);
      options.onProgress?.(start + received, length === undefined ? undefined : start + length);
      done(null, chunk);
    },
  });
  try {
    await pipeline(res, counter, createWriteStream(part, { flags: append ? "a" : "w" }), {
      signal: guard.signal,
    });
    if (length !== undefined && received !== length) throw new Error(`got ${received} of ${length} bytes`);
  } catch (err) {
    throw new DownloadError(
      url,
      `interrupted after ${start + received} bytes (${guard.reason ?? (err as Error).message}); ${part} is kept and the next try resumes from it`,
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

/** `verify`, but an error while checking (unreadable, cut-off gzip…) discards `part` and names the URL. */
async function verifyOrDiscard(
  url: string,
  part: string,
  accept: readonly Digest[],
  streamed: Map<HashAlgorithm, string>,
): Promise<{ ok: boolean; actual: string[] }> {
  try {
    return await verify(part, accept, streamed);
  } catch (err) {
    await rm(part, { force: true });
    throw new DownloadError(url, `cannot check the download (${(err as Error).message}); it was discarded`);
  }
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
        ? `${d.algorithm}(gunzipped) ${got ?? "(not valid gzip, or bytes after the end of the gzip data)"}`
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
  guard: TransferGuard,
  redirects = 0,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith("https:") ? https : url.startsWith("http:") ? http : undefined;
    if (!client) return reject(new DownloadError(url, "only http: and https: URLs can be downloaded"));
    const req = client.get(url, { headers, signal: guard.signal }, (res) => {
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS)
          return reject(new DownloadError(url, `more than ${MAX_REDIRECTS} redirects`));
        return resolve(get(new URL(location, url).href, headers, timeoutMs, guard, redirects + 1));
      }
      resolve(res);
    });
    // Covers the whole transfer: a stalled body errors the response stream too.
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no data for ${timeoutMs} ms`)));
    req.on("error", (err) => reject(new DownloadError(url, guard.reason ?? err.message)));
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
