import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { basename, dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DownloadError, downloadVerified } from "./download";
import type { Digest } from "./hashing";
import { startTestServer, type TestServer } from "./test-support/http-fixture";
import { useTempDirs } from "./test-support/temp-dir";
import { tempNameFor } from "./temp-files";

const body = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const accept: Digest[] = [{ algorithm: "sha256", hex: sha256(body) }];

/** The name pattern of a partial file of `name` written by process `pid`. */
const partName = (name: string, pid: number) =>
  new RegExp(`^\\.${name.replace(".", "\\.")}\\.${pid}\\.[0-9a-f]+\\.part$`);

/** The one partial file next to `dest`. */
function onlyPart(dest: string): string {
  const parts = readdirSync(dirname(dest)).filter((f) => f.endsWith(".part"));
  expect(parts).toHaveLength(1);
  return join(dirname(dest), parts[0]!);
}

/** The pid of a process that has exited. */
const deadPid = (() => {
  let pid: number | undefined;
  return () => (pid ??= spawnSync(process.execPath, ["-e", ""]).pid);
})();

/** A partial file of `dest` as a killed earlier run leaves it. */
const stalePart = (dest: string) => join(dirname(dest), `.${basename(dest)}.${deadPid()}.abcdef.part`);

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
    // Only this call's own partial (kept for resuming) is there.
    expect(readdirSync(dir)).toEqual([expect.stringMatching(partName("file.bin", process.pid))]);
  });

  it("resumes an interrupted download with a Range request", async () => {
    const dest = join(tempDir(), "file.bin");
    const first = server.requests.length;
    await expect(downloadVerified(at("/drop-once"), dest, { accept })).rejects.toThrow(/interrupted/);
    const partial = statSync(onlyPart(dest)).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(body.length);
    await downloadVerified(at("/drop-once"), dest, { accept });
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
    expect(readdirSync(join(dest, ".."))).toEqual(["file.bin"]);
    expect(server.requests.slice(first).map((r) => r.range)).toEqual([undefined, `bytes=${partial}-`]);
  });

  it("starts over when a stale .part does not belong to the file", async () => {
    const dest = join(tempDir(), "file.bin");
    writeFileSync(
      stalePart(dest),
      Uint8Array.from({ length: 1000 }, () => 42),
    );
    const first = server.requests.length;
    await downloadVerified(at("/good"), dest, { accept });
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
    expect(server.requests.slice(first).map((r) => r.range)).toEqual(["bytes=1000-", undefined]);
  });

  it("starts over when the .part is longer than the file (416)", async () => {
    const dest = join(tempDir(), "file.bin");
    writeFileSync(stalePart(dest), new Uint8Array(body.length + 10));
    await downloadVerified(at("/good"), dest, { accept });
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
  });

  it("overwrites the .part when the server ignores Range", async () => {
    const dest = join(tempDir(), "file.bin");
    writeFileSync(stalePart(dest), body.subarray(0, 500));
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
    expect(err).toMatch(
      /got sha256\(gunzipped\) \(not valid gzip, or bytes after the end of the gzip data\)/,
    );
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

describe("downloadVerified under hostile servers (issue 19)", () => {
  let server: TestServer;
  const tempDir = useTempDirs();
  // Several MB of incompressible data, so gunzip streams many chunks before it reaches the appended bytes.
  const big = Uint8Array.from({ length: 3_000_000 }, (_, i) => (i * 2654435761) >>> 24);
  const gz = gzipSync(big);
  const appended = Buffer.concat([gz, Buffer.from("some bytes after the end of the gzip data")]);
  const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");
  const small = body.subarray(0, 40);

  beforeAll(async () => {
    server = await startTestServer({
      "/appended.gz": { body: appended },
      "/trickle": { body: small, behaviour: "trickle", trickleMs: 500 },
      "/steady": { body: small, behaviour: "trickle", trickleMs: 100, chunkBytes: 1 },
      "/resumable": { body: small },
    });
  });
  afterAll(() => server.close());
  const at = (path: string) => `${server.url}${path}`;

  it("rejects bytes appended after a valid gzip, naming the URL and leaving nothing in the cache", async () => {
    const dir = tempDir();
    const url = at("/appended.gz");
    const err = await downloadVerified(url, join(dir, "data.gz"), {
      accept: [
        { algorithm: "md5", hex: md5(gz) },
        { algorithm: "sha256", hex: sha256(big), of: "gunzipped", maxBytes: big.length + 65_536 },
      ],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toContain(`${url}: checksum mismatch for ${join(dir, "data.gz")}`);
    expect((err as Error).message).toContain(`got md5 ${md5(appended)}`);
    expect((err as Error).message).toContain("(not valid gzip, or bytes after the end of the gzip data)");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("gives up on a server trickling 1 byte every 0.5 s (minimum rate), keeping the partial", async () => {
    const dir = tempDir();
    const dest = join(dir, "file.bin");
    const url = at("/trickle");
    const t0 = Date.now();
    const err = await downloadVerified(url, dest, {
      accept,
      minBytesPerSecond: 100,
      rateWindowMs: 1000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^${url}: interrupted after \\d+ bytes \\(slower than the minimum of 100 bytes/s \\(\\d bytes in the last 1000 ms\\)\\)`,
      ),
    );
    // The rate is checked once per window: it fails at the first check, not after the 30 s idle timeout.
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(existsSync(dest)).toBe(false);
    expect(statSync(onlyPart(dest)).size).toBeGreaterThan(0);
  });

  it("gives up at the overall deadline even when data keeps coming", async () => {
    const dir = tempDir();
    const url = at("/steady");
    const err = await downloadVerified(url, join(dir, "file.bin"), {
      accept,
      deadlineMs: 1200,
      minBytesPerSecond: 0,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toMatch(
      new RegExp(`^${url}: interrupted after \\d+ bytes \\(not finished within the 1200 ms deadline\\)`),
    );
    // About 12 of the 40 bytes arrived (one per 100 ms); the partial is kept for a later call.
    const kept = statSync(onlyPart(join(dir, "file.bin"))).size;
    expect(kept).toBeGreaterThan(3);
    expect(kept).toBeLessThan(small.length);
  });

  it("a later call in the same process resumes the partial a stopped call left", async () => {
    const dest = join(tempDir(), "file.bin");
    writeFileSync(tempNameFor(dest, "part"), small.subarray(0, 15));
    const first = server.requests.length;
    await downloadVerified(at("/resumable"), dest, {
      accept: [{ algorithm: "sha256", hex: sha256(small) }],
    });
    expect(sha256(readFileSync(dest))).toBe(sha256(small));
    expect(server.requests.slice(first).map((r) => r.range)).toEqual(["bytes=15-"]);
    expect(readdirSync(dirname(dest))).toEqual(["file.bin"]);
  });

  it("two concurrent calls in one process each use their own partial and both succeed", async () => {
    const dest = join(tempDir(), "file.bin");
    const options = { accept: [{ algorithm: "sha256" as const, hex: sha256(small) }] };
    await Promise.all([
      downloadVerified(at("/resumable"), dest, options),
      downloadVerified(at("/resumable"), dest, options),
    ]);
    expect(sha256(readFileSync(dest))).toBe(sha256(small));
    expect(readdirSync(dirname(dest))).toEqual(["file.bin"]);
  });

  it("finishing second, it keeps the winner's verified file; a file that fails the check is replaced", async () => {
    const dest = join(tempDir(), "file.bin");
    const options = { accept: [{ algorithm: "sha256" as const, hex: sha256(small) }] };
    writeFileSync(dest, small);
    const winner = statSync(dest).ino;
    await downloadVerified(at("/resumable"), dest, options);
    expect(statSync(dest).ino).toBe(winner);
    writeFileSync(dest, "not the file");
    await downloadVerified(at("/resumable"), dest, options);
    expect(sha256(readFileSync(dest))).toBe(sha256(small));
    expect(readdirSync(dirname(dest))).toEqual(["file.bin"]);
  });

  it.each([
    [{ deadlineMs: -1 }, "deadlineMs must be a positive number of milliseconds, got -1"],
    [
      { minBytesPerSecond: Number.NaN },
      "minBytesPerSecond must be a positive number of bytes per second, got NaN",
    ],
    [{ timeoutMs: 0 }, "timeoutMs must be a positive number of milliseconds, got 0"],
  ])("rejects bad limits %o", async (limits, message) => {
    await expect(
      downloadVerified(at("/resumable"), join(tempDir(), "f"), { accept, ...limits }),
    ).rejects.toThrow(`downloadVerified: ${message}`);
  });
});
