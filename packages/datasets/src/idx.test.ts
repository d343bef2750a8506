import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { NDArray } from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { DataFileError } from "./errors";
import { encodeIdx, parseIdx } from "./idx";
import { readIdxFile } from "./idx-file";
import { useTempDirs } from "./test-support/temp-dir";

const images = new NDArray(
  Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => i),
  [3, 4, 5],
  "uint8",
);
const labels = new NDArray(Uint8Array.of(7, 0, 9), [3], "uint8");

describe("parseIdx", () => {
  it("reads ubyte images and labels as uint8 views of the bytes", () => {
    const bytes = encodeIdx(images);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0, 8, 3]);
    const parsed = parseIdx(bytes, "images");
    expect(parsed.shape).toEqual([3, 4, 5]);
    expect(parsed.dtype).toBe("uint8");
    expect(parsed.buffer.buffer).toBe(bytes.buffer);
    expect(Array.from(parsed.dataSync())).toEqual(Array.from(images.dataSync()));
    expect(Array.from(parseIdx(encodeIdx(labels), "labels", { rank: 1, type: "ubyte" }).dataSync())).toEqual([
      7, 0, 9,
    ]);
  });

  it("reads big-endian int and float types", () => {
    const ints = new NDArray(Int32Array.of(-5, 70000), [2], "int32");
    expect(Array.from(parseIdx(encodeIdx(ints)).dataSync())).toEqual([-5, 70000]);
    const doubles = new NDArray(Float64Array.of(0.1, -2.5), [1, 2], "float64");
    const parsed = parseIdx(encodeIdx(doubles));
    expect(parsed.dtype).toBe("float64");
    expect(Array.from(parsed.dataSync())).toEqual([0.1, -2.5]);
  });

  it("names the file and the expected magic number", () => {
    const bytes = encodeIdx(labels); // 0x00000801
    expect(() => parseIdx(bytes, "train-images-idx3-ubyte.gz", { rank: 3, type: "ubyte" })).toThrow(
      "train-images-idx3-ubyte.gz: bad magic number 0x00000801 (expected 0x00000803 for an IDX3 ubyte file)",
    );
    const garbage = Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0);
    expect(() => parseIdx(garbage, "f")).toThrow(/f: bad magic number 0x12345678/);
  });

  it("reports truncated data with the header's dimensions", () => {
    const bytes = encodeIdx(images).subarray(0, 16 + 50);
    expect(() => parseIdx(bytes, "imgs", { rank: 3 })).toThrow(
      "imgs: truncated: header says 3×4×5 = 60 bytes of data, file has 50",
    );
    expect(() => parseIdx(encodeIdx(images).subarray(0, 10), "imgs")).toThrow(
      /truncated: a rank-3 header needs 16 bytes/,
    );
    expect(() => parseIdx(Uint8Array.of(0, 0), "imgs")).toThrow(/too short/);
  });

  it("reports dimensions that do not match the data and extra bytes", () => {
    const bytes = encodeIdx(images);
    new DataView(bytes.buffer).setUint32(4, 4); // claim 4 images of 4×5
    expect(() => parseIdx(bytes, "imgs")).toThrow(
      "imgs: truncated: header says 4×4×5 = 80 bytes of data, file has 60",
    );
    const long = new Uint8Array(encodeIdx(labels).length + 2);
    long.set(encodeIdx(labels));
    expect(() => parseIdx(long, "labels")).toThrow(/2 extra bytes after the data/);
  });

  it("points at gzip when given compressed bytes", () => {
    expect(() => parseIdx(gzipSync(encodeIdx(labels)), "l.gz")).toThrow(/l.gz: is gzip-compressed/);
  });

  it("throws DataFileError carrying the file", () => {
    try {
      parseIdx(Uint8Array.of(1, 2, 3, 4), "x.idx");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DataFileError);
      expect((err as DataFileError).file).toBe("x.idx");
    }
  });
});

describe("readIdxFile", () => {
  const tempDir = useTempDirs();

  it("reads gzipped and raw files alike", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.gz"), gzipSync(encodeIdx(images)));
    writeFileSync(join(dir, "a"), encodeIdx(images));
    for (const name of ["a.gz", "a"]) {
      const parsed = await readIdxFile(join(dir, name), { rank: 3, type: "ubyte" });
      expect(parsed.shape).toEqual([3, 4, 5]);
      expect(Array.from(parsed.dataSync())).toEqual(Array.from(images.dataSync()));
    }
  });

  it("names the file for truncated or corrupt gzip, and for a missing file", async () => {
    const dir = tempDir();
    const gz = gzipSync(encodeIdx(images));
    const truncated = join(dir, "truncated.gz");
    writeFileSync(truncated, gz.subarray(0, gz.length - 20));
    await expect(readIdxFile(truncated)).rejects.toThrow(`${truncated}: truncated gzip data`);
    const corrupt = join(dir, "corrupt.gz");
    const bad = Uint8Array.from(gz);
    for (let i = 12; i < bad.length - 8; i++) bad[i] = bad[i]! ^ 0x5a;
    writeFileSync(corrupt, bad);
    await expect(readIdxFile(corrupt)).rejects.toThrow(`${corrupt}: corrupt gzip data`);
    await expect(readIdxFile(join(dir, "nope.gz"))).rejects.toThrow(/nope.gz: not found/);
  });

  it("names the file when the decompressed content is truncated", async () => {
    const dir = tempDir();
    const file = join(dir, "t10k-labels-idx1-ubyte.gz");
    writeFileSync(file, gzipSync(encodeIdx(labels).subarray(0, 10)));
    await expect(readIdxFile(file, { rank: 1, type: "ubyte" })).rejects.toThrow(
      `${file}: truncated: header says 3 bytes of data, file has 2`,
    );
  });
});
