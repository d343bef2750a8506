import { type DType, NDArray } from "@chainrule/ndarray";
import { DataFileError } from "./errors";

/** IDX element types (the third byte of the magic number), as the format defines them. */
const IDX_TYPES = {
  0x08: { name: "ubyte", bytes: 1, dtype: "uint8" },
  0x09: { name: "byte", bytes: 1, dtype: "int32" },
  0x0b: { name: "short", bytes: 2, dtype: "int32" },
  0x0c: { name: "int", bytes: 4, dtype: "int32" },
  0x0d: { name: "float", bytes: 4, dtype: "float32" },
  0x0e: { name: "double", bytes: 8, dtype: "float64" },
} as const satisfies Record<number, { name: string; bytes: number; dtype: DType }>;

export type IdxType = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]["name"];

export interface IdxExpectation {
  /** Number of dimensions (3 for images, 1 for labels). */
  rank?: number;
  /** Element type. */
  type?: IdxType;
}

const hex32 = (v: number) => "0x" + (v >>> 0).toString(16).padStart(8, "0");

function typeCode(name: IdxType): number {
  return Number(Object.entries(IDX_TYPES).find(([, t]) => t.name === name)![0]);
}

/** The most bytes an IDX header can take (magic and 255 dimensions). */
export const IDX_MAX_HEADER_BYTES = 4 + 4 * 255;

/** The file size an IDX header declares (header plus data), or undefined if `bytes` do not start with one. */
export function idxDeclaredBytes(bytes: Uint8Array): number | undefined {
  const type = IDX_TYPES[bytes[2] as keyof typeof IDX_TYPES];
  const rank = bytes[3] ?? 0;
  if (bytes.length < 4 + 4 * rank || bytes[0] !== 0 || bytes[1] !== 0 || !type) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 1;
  for (let i = 0; i < rank; i++) count *= view.getUint32(4 + 4 * i);
  return 4 + 4 * rank + count * type.bytes;
}

/**
 * Parses an uncompressed IDX file (the MNIST format): a magic number `00 00 <type> <rank>`, `rank`
 * big-endian uint32 dimensions, then the elements. ubyte data is returned as a uint8 view of `bytes`
 * (no copy); other types are converted. Errors name `name` and say what is wrong.
 */
export function parseIdx(bytes: Uint8Array, name = "IDX data", expect: IdxExpectation = {}): NDArray {
  const fail = (problem: string): never => {
    throw new DataFileError(name, problem);
  };
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    fail("is gzip-compressed (starts with 1f 8b); decompress it first (readIdxFile does)");
  }
  if (bytes.length < 4) fail(`truncated: ${bytes.length} bytes is too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const code = bytes[2]!;
  const rank = bytes[3]!;
  const type = IDX_TYPES[code as keyof typeof IDX_TYPES];
  const wantRank = expect.rank ?? rank;
  const wantCode = expect.type ? typeCode(expect.type) : code;
  if (bytes[0] !== 0 || bytes[1] !== 0 || !type || rank !== wantRank || code !== wantCode) {
    const expected =
      expect.rank !== undefined && expect.type
        ? `${hex32((wantCode << 8) | wantRank)} for an IDX${wantRank} ${expect.type} file`
        : "00 00, a type code (08 ubyte, 09 byte, 0b short, 0c int, 0d float, 0e double) and the rank";
    fail(`bad magic number ${hex32(magic)} (expected ${expected})`);
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    fail(`truncated: a rank-${rank} header needs ${headerBytes} bytes, file has ${bytes.length}`);
  }
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const dataBytes = count * type!.bytes;
  const actual = bytes.length - headerBytes;
  if (actual !== dataBytes) {
    const what = actual < dataBytes ? "truncated" : `${actual - dataBytes} extra bytes after the data`;
    const product = `${shape.join("×")}${type!.bytes > 1 ? ` × ${type!.bytes}` : ""}`;
    const sizes = product === String(dataBytes) ? product : `${product} = ${dataBytes}`;
    fail(`${what}: header says ${sizes} bytes of data, file has ${actual}`);
  }
  return new NDArray(decode(bytes, headerBytes, count, code), shape, type!.dtype);
}

function decode(bytes: Uint8Array, start: number, count: number, code: number) {
  // A fresh Uint8Array view, not the caller's object: a Node Buffer's slice() would share memory.
  if (code === 0x08) return new Uint8Array(bytes.buffer, bytes.byteOffset + start, count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, bytes.byteLength - start);
  const read = {
    0x09: (i: number) => view.getInt8(i),
    0x0b: (i: number) => view.getInt16(2 * i),
    0x0c: (i: number) => view.getInt32(4 * i),
    0x0d: (i: number) => view.getFloat32(4 * i),
    0x0e: (i: number) => view.getFloat64(8 * i),
  }[code]!;
  const out =
    code === 0x0d ? new Float32Array(count) : code === 0x0e ? new Float64Array(count) : new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = read(i);
  return out;
}

/** Encodes an array as an IDX file (uint8 as ubyte, int32 as int, float32 as float, float64 as double). */
export function encodeIdx(array: NDArray): Uint8Array {
  const code = { uint8: 0x08, bool: 0x08, int32: 0x0c, float32: 0x0d, float64: 0x0e }[array.dtype];
  const size = IDX_TYPES[code as keyof typeof IDX_TYPES].bytes;
  const header = 4 + 4 * array.ndim;
  const out = new Uint8Array(header + array.size * size);
  const view = new DataView(out.buffer);
  view.setUint32(0, (code << 8) | array.ndim);
  array.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const data = array.dataSync();
  for (let i = 0; i < data.length; i++) {
    const at = header + i * size;
    if (size === 1) out[at] = data[i]!;
    else if (code === 0x0c) view.setInt32(at, data[i]!);
    else if (code === 0x0d) view.setFloat32(at, data[i]!);
    else view.setFloat64(at, data[i]!);
  }
  return out;
}
