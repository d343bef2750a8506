import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DownloadError, downloadVerified } from "./download";
import type { Digest } from "./hashing";
import { startTestServer, type TestServer } from "./test-support/http-fixture";
import { useTempDirs } from "./test-support/temp-dir";

const body = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const accept: Digest[] = [{ algorithm: "sha256", hex: sha256(body) }];

describe("downloadVerified", () => {
  let server: TestServer;
  const tempDir = useTempDirs();
  const content = gzipSync(body);

  beforeAll(async () => {
    server = await startTestServer({
      "/good": { body },
      "/truncated": { body, behaviour: "truncated" },
      "/corrupt": { body, behaviour: "corrupt" },
      "/drop": { body, behaviour: "drop" },
      "/drop-once": { body, behaviour: "drop-once" },
      "/ignore-range": { body, behaviour: "ignore-range" },
      "/moved": { redirectTo: "/good" },
      "/data.gz": { body: content },
    });
  });
  afterAll(() => server.close());

  const at = (path: string) => `${server.url}${path}`;

  it("lands a good file and leaves no temp file", async () => {
    const dest = join(tempDir(), "sub", "file.bin");
    await downloadVerified(at("/good"), dest, { accept });
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
    expect(readdirSync(join(dest, ".."))).toEqual(["file.bin"]);
  });

  it.each(["/corrupt", "/truncated"])(
    "rejects %s content, leaving no file and no temp file",
    async (path) => {
      const dir = tempDir();
      const dest = join(dir, "file.bin");
      const err = await downloadVerified(at(path), dest, { accept }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DownloadError);
      expect((err as Error).message).toContain(at(path));
      expect((err as Error).message).toMatch(
        /checksum mismatch for .*file\.bin: expected sha256 [0-9a-f]{64}, got sha256 [0-9a-f]{64}/,
      );
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it("never puts an interrupted download in place", async () => {
    const dir = tempDir();
    const dest = join(dir, "file.bin");
    await expect(downloadVerified(at("/drop"), dest, { accept })).rejects.toThrow(
      /interrupted after \d+ bytes/,
    );
    expect(existsSync(dest)).toBe(false);
    // Only the .part (kept for resuming) is there.
    expect(readdirSync(dir).every((f) => f.endsWith(".part"))).toBe(true);
  });

  it("resumes an interrupted download with a Range request", async () => {
    const dest = join(tempDir(), "file.bin");
    const first = server.requests.length;
    await expect(downloadVerified(at("/drop-once"), dest, { accept })).rejects.toThrow(/interrupted/);
    const partial = statSync(`${dest}.part`).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(body.length);
    await downloadVerified(at("/drop-once"), dest, { accept });
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(server.requests.slice(first).map((r) => r.range)).toEqual([undefined, `bytes=${partial}-`]);
  });

  it("starts over when a stale .part does not belong to the file", async () => {
    const dest = join(tempDir(), "file.bin");
    writeFileSync(
      `${dest}.part`,
      Uint8Array.from({ length: 1000 }, () => 42),
    );
    const first = server.requests.length;
    await downloadVerified(at("/good"), dest, { accept });
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
    expect(server.requests.slice(first).map((r) => r.range)).toEqual(["bytes=1000-", undefined]);
  });

  it("starts over when the .part is longer than the file (416)", async () => {
    const dest = join(tempDir(), "file.bin");
    writeFileSync(`${dest}.part`, new Uint8Array(body.length + 10));
    await downloadVerified(at("/good"), dest, { accept });
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
  });

  it("overwrites the .part when the server ignores Range", async () => {
    const dest = join(tempDir(), "file.bin");
    writeFileSync(`${dest}.part`, body.subarray(0, 500));
    await downloadVerified(at("/ignore-range"), dest, { accept });
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
  });

  it("can accept a checksum of the gunzipped content", async () => {
    const dest = join(tempDir(), "data.gz");
    await downloadVerified(at("/data.gz"), dest, {
      accept: [
        { algorithm: "md5", hex: "0".repeat(32) },
        { algorithm: "sha256", hex: sha256(body), of: "gunzipped" },
      ],
    });
    expect(existsSync(dest)).toBe(true);
    const err = await downloadVerified(at("/good"), join(tempDir(), "x.gz"), {
      accept: [{ algorithm: "sha256", hex: sha256(body), of: "gunzipped" }],
    }).catch((e: Error) => e.message);
    expect(err).toMatch(/got sha256\(gunzipped\) \(not valid gzip\)/);
  });

  it("follows redirects, reports progress, and reports HTTP errors", async () => {
    const dest = join(tempDir(), "file.bin");
    let last = 0;
    await downloadVerified(at("/moved"), dest, { accept, onProgress: (received) => (last = received) });
    expect(last).toBe(body.length);
    const dir = tempDir();
    await expect(downloadVerified(at("/missing"), join(dir, "f"), { accept })).rejects.toThrow(
      `${at("/missing")}: HTTP 404 Not Found`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});
