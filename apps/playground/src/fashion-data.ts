// Fashion-MNIST for the page: the gzipped IDX files are served by the page's own origin (see vite.config.ts),
// cached in Cache Storage, and every file's decompressed content is checked against its known sha256 (the
// sizes and digests @chainrule/datasets' Node loader checks, from its browser-safe main entry).
import { FASHION_MNIST_FILES as FASHION_FILES, parseIdx } from "@chainrule/datasets";
import type { NDArray } from "@chainrule/ndarray";

export type FashionKey = keyof typeof FASHION_FILES;
export type FashionData = Record<FashionKey, NDArray>;
export type Progress = (fraction: number, message: string) => void;

const CACHE_NAME = "chainrule-playground-fashion-mnist";
export const fashionUrl = (key: FashionKey) => `data/fashion-mnist/${FASHION_FILES[key].name}.gz`;

/** Gunzips `gz`, stopping with an error as soon as the output passes `limit` bytes (no gzip bomb). */
async function gunzipBounded(gz: Uint8Array, limit: number, url: string): Promise<Uint8Array> {
  const stream = new Blob([gz as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream("gzip"));
  const out = new Uint8Array(limit);
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.length > limit) {
      await reader.cancel();
      throw new Error(`${url}: decompresses to more than the ${limit} bytes the file should hold`);
    }
    out.set(value, size);
    size += value.length;
  }
  if (size !== limit) throw new Error(`${url}: decompresses to ${size} bytes, expected ${limit}`);
  return out;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The .gz bytes, from Cache Storage when an earlier visit stored them, else from the server. */
async function fetchGz(url: string, cache: Cache | undefined): Promise<{ gz: Uint8Array; cached: boolean }> {
  const hit = await cache?.match(url);
  if (hit) return { gz: new Uint8Array(await hit.arrayBuffer()), cached: true };
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  return { gz: new Uint8Array(await res.arrayBuffer()), cached: false };
}

/** Loads one file: fetch (or cache), gunzip (bounded), sha256 check, then caches it only once verified. */
async function loadFile(
  key: FashionKey,
  cache: Cache | undefined,
): Promise<{ array: NDArray; cached: boolean }> {
  const file = FASHION_FILES[key];
  const url = fashionUrl(key);
  const { gz, cached } = await fetchGz(url, cache);
  const raw = await gunzipBounded(gz, file.bytes, url);
  const digest = await sha256Hex(raw);
  if (digest !== file.sha256) {
    await cache?.delete(url);
    throw new Error(`${url}: sha256 of the decompressed file is ${digest}, expected ${file.sha256}`);
  }
  if (!cached) await cache?.put(url, new Response(gz as Uint8Array<ArrayBuffer>));
  return { array: parseIdx(raw, url, { rank: file.rank, type: "ubyte" }), cached };
}

/** All four files, verified; `cached` says whether every one came from Cache Storage. */
export async function loadFashion(onProgress: Progress): Promise<{ data: FashionData; cached: boolean }> {
  const cache = "caches" in globalThis ? await caches.open(CACHE_NAME) : undefined;
  const keys = Object.keys(FASHION_FILES) as FashionKey[];
  const data = {} as FashionData;
  let allCached = true;
  for (const [i, key] of keys.entries()) {
    onProgress(i / keys.length, `loading ${FASHION_FILES[key].name}`);
    const { array, cached } = await loadFile(key, cache);
    data[key] = array;
    allCached &&= cached;
  }
  onProgress(
    1,
    allCached ? "loaded from Cache Storage, checksums verified" : "downloaded, checksums verified",
  );
  return { data, cached: allCached };
}
