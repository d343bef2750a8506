// Issue 19: a small .gz that expands far past what the file may hold is cut off at the cap, not inflated.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { hashFile, TooLargeError } from "./hashing";
import { encodeIdx } from "./idx";
import { readIdxFile, readMaybeGzipped } from "./idx-file";
import { NDArray } from "@chainrule/ndarray";
import { useTempDirs } from "./test-support/temp-dir";

describe("gzip bombs are cut off at the expected size", () => {
  const tempDir = useTempDirs();
  // 64 MiB of zeros compresses to ~64 KB: a bomb 1000× over a 60,008-byte labels file.
  const bomb = gzipSync(Buffer.alloc(64 * 2 ** 20));

  it("readMaybeGzipped stops past maxBytes with an error naming the file and the limit", async () => {
    const file = join(tempDir(), "train-labels-idx1-ubyte.gz");
    writeFileSync(file, bomb);
    expect(bomb.length).toBeLessThan(100_000);
    await expect(readMaybeGzipped(file, 60_008 + 65_536)).rejects.toThrow(
      `${file}: gzip data decompresses to more than 125544 bytes, the most this file may hold`,
    );
    // Under the cap the bytes come back whole.
    const small = join(tempDir(), "small.gz");
    writeFileSync(small, gzipSync(Buffer.from([1, 2, 3])));
    expect(Array.from(await readMaybeGzipped(small, 3))).toEqual([1, 2, 3]);
  });

  it("hashFile stops the stream past maxBytes", async () => {
    const file = join(tempDir(), "bomb.gz");
    writeFileSync(file, bomb);
    const err = await hashFile(file, "sha256", true, 125_544).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeError);
    expect((err as Error).message).toBe(`${file} decompresses to more than 125544 bytes`);
  });

  it("readIdxFile stops at the size the IDX header declares", async () => {
    // A valid 10-label header followed by 64 MiB of zeros, gzipped to ~64 KB.
    const header = encodeIdx(new NDArray(new Uint8Array(10), [10], "uint8"));
    const file = join(tempDir(), "labels.gz");
    writeFileSync(file, gzipSync(Buffer.concat([header, Buffer.alloc(64 * 2 ** 20)])));
    await expect(readIdxFile(file)).rejects.toThrow(
      `${file}: gzip data decompresses to more than ${header.length} bytes, the most this file may hold`,
    );
    // The honest file reads back; a bad header is reported as such, without inflating the rest.
    writeFileSync(file, gzipSync(header));
    expect((await readIdxFile(file)).shape).toEqual([10]);
    writeFileSync(file, gzipSync(Buffer.concat([Buffer.from([1, 2, 3, 4]), Buffer.alloc(64 * 2 ** 20)])));
    await expect(readIdxFile(file)).rejects.toThrow(`${file}: bad magic number 0x01020304`);
  });
});
