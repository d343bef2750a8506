// The safetensors format (https://github.com/huggingface/safetensors), in pure code: no Node APIs, so it runs
// in browsers too. Layout: an unsigned little-endian 64-bit header length N; N bytes of UTF-8 JSON
// `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { key: value } }`; then the tensors'
// bytes, little-endian, with offsets relative to the end of the header.
import { NDArray, type DType, type TypedArray } from "@chainrule/ndarray";
import { SafetensorsError } from "./errors";

/** Every dtype name of the safetensors spec; the ones this package can represent are listed in the README. */
const ITEM_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
  C64: 8,
};

const WRITE_DTYPE: Record<DType, string> = {
  float64: "F64",
  float32: "F32",
  int32: "I32",
  uint8: "U8",
  bool: "BOOL",
};

/** The dtype each readable file dtype becomes (F16/BF16 widen exactly; 64-bit and unsigned 32-bit integers must fit int32). */
const READ_DTYPE: Record<string, DType> = {
  F64: "float64",
  F32: "float32",
  F16: "float32",
  BF16: "float32",
  I64: "int32",
  U64: "int32",
  U32: "int32",
  I32: "int32",
  I16: "int32",
  U16: "int32",
  I8: "int32",
  U8: "uint8",
  BOOL: "bool",
};

/** The largest header accepted by default (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  name: string;
  /** dtype as written in the file ("F32", "BF16", …). */
  dtype: string;
  shape: number[];
  /** Byte range in the data buffer (after the header). */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** Tensors in file order (sorted by offset). */
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** Where the data buffer starts in the file: 8 + header length. */
  dataStart: number;
}

export interface ParsedSafetensors {
  /** Tensors by name (an object with no prototype, so any name is safe), in file order. */
  tensors: Record<string, NDArray>;
  metadata: Record<string, string>;
}

export interface ParseSafetensorsOptions {
  /** Reject headers longer than this many bytes (default 100,000,000). */
  maxHeaderBytes?: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const fail = (msg: string): never => {
  throw new SafetensorsError(`safetensors: ${msg}`);
};

function asBytes(input: Uint8Array | ArrayBufferLike): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (
    input instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== "undefined" && input instanceof SharedArrayBuffer)
  ) {
    return new Uint8Array(input);
  }
  if (ArrayBuffer.isView(input)) {
    const v = input as ArrayBufferView;
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  return fail(`expected a Uint8Array or ArrayBuffer, got ${input === null ? "null" : typeof input}`);
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * Reads and validates the header without touching the tensor data: the header length is within the file and
 * the limit, the JSON is an object, every dtype is known, every shape is a list of non-negative integers,
 * every byte range matches its shape × dtype size, and the ranges tile the data buffer exactly (in range, no
 * overlaps, no holes). Throws a `SafetensorsError` naming the problem.
 */
export function parseSafetensorsHeader(
  input: Uint8Array | ArrayBufferLike,
  options: ParseSafetensorsOptions = {},
): SafetensorsHeader {
  const bytes = asBytes(input);
  const limit = options.maxHeaderBytes ?? MAX_HEADER_BYTES;
  if (bytes.length < 8) fail(`the file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (hi !== 0 || n > limit) {
    fail(`header length ${dv.getBigUint64(0, true)} is larger than the limit of ${limit} bytes`);
  }
  if (8 + n > bytes.length) {
    fail(
      `header length ${n} runs past the end of the file (${bytes.length} bytes, so at most ${bytes.length - 8})`,
    );
  }
  if (n < 2 || bytes[8] !== 0x7b) fail("the header does not start with '{' (not a safetensors file?)");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail("the header is not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json))
    fail("the header is not a JSON object");
  rejectDuplicateKeys(text);

  const dataLength = bytes.length - 8 - n;
  const metadata: Record<string, string> = Object.create(null);
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (raw === null) continue;
      if (typeof raw !== "object" || Array.isArray(raw)) fail("__metadata__ must be an object of strings");
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__['${k}'] must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `tensor '${name}'`;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw))
      fail(`${where}: entry must be an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== "string") fail(`${where}: dtype must be a string`);
    const item = Object.prototype.hasOwnProperty.call(ITEM_BYTES, dtype as string)
      ? ITEM_BYTES[dtype as string]!
      : fail(`${where}: unknown dtype '${String(dtype)}'`);
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      fail(`${where}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      fail(
        `${where}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`,
      );
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLength) {
      fail(`${where}: data_offsets [${begin}, ${end}] run past the data buffer (${dataLength} bytes)`);
    }
    const count = (shape as number[]).reduce((a, d) => a * d, 1);
    if (count * item !== end - begin) {
      fail(
        `${where}: shape [${(shape as number[]).join(", ")}] of ${dtype} needs ${count * item} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    entries.push({
      name,
      dtype: dtype as string,
      shape: [...(shape as number[])],
      dataOffsets: [begin, end],
    });
  }
  // The ranges must tile [0, dataLength): sorted by start, each begins where the previous one ended.
  entries.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let expected = 0;
  let prev: SafetensorsEntry | undefined;
  for (const e of entries) {
    const [begin, end] = e.dataOffsets;
    if (begin < expected) {
      fail(
        `tensor '${e.name}' [${begin}, ${end}] overlaps tensor '${prev!.name}' [${prev!.dataOffsets.join(", ")}]`,
      );
    }
    if (begin > expected) fail(`bytes [${expected}, ${begin}) of the data buffer belong to no tensor`);
    expected = end;
    prev = e;
  }
  if (expected !== dataLength)
    fail(`bytes [${expected}, ${dataLength}) of the data buffer belong to no tensor`);
  return { entries, metadata, dataStart: 8 + n };
}

/**
 * JSON.parse lets a repeated key silently win, so a file could redefine a tensor's dtype or shape unseen. This
 * scans the (already valid) JSON text and throws on the first key repeated within one object, at any depth.
 */
function rejectDuplicateKeys(text: string): void {
  // One entry per open bracket: the keys seen so far for an object, null for an array.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{") {
      stack.push(new Set());
      expectKey = true;
    } else if (c === "[") {
      stack.push(null);
      expectKey = false;
    } else if (c === "}" || c === "]") {
      stack.pop();
      expectKey = false;
    } else if (c === ",") {
      expectKey = stack[stack.length - 1] instanceof Set;
    } else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const seen = stack[stack.length - 1]!;
        if (seen.has(key)) {
          const where = stack.length === 1 ? "the header" : "an entry of the header";
          fail(`${where} repeats the key '${key}' (a repeated key would silently replace the first)`);
        }
        seen.add(key);
        expectKey = false;
      }
      i = j;
    }
  }
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

const bf16View = new DataView(new ArrayBuffer(4));
function bf16ToF32(h: number): number {
  bf16View.setUint32(0, h << 16);
  return bf16View.getFloat32(0);
}

function decode(bytes: Uint8Array, e: SafetensorsEntry, dataStart: number): NDArray {
  const [begin, end] = e.dataOffsets;
  const start = dataStart + begin;
  const dtype = READ_DTYPE[e.dtype];
  if (dtype === undefined) return fail(`tensor '${e.name}': unsupported dtype '${e.dtype}'`);
  const count = e.shape.reduce((a, d) => a * d, 1);
  const item = ITEM_BYTES[e.dtype]!;
  // Copy the bytes out (aligned, and never aliasing the caller's buffer).
  const raw = bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + dataStart + end) as ArrayBuffer;
  const dv = new DataView(raw);
  let out: TypedArray;
  switch (e.dtype) {
    case "F64":
      out = LITTLE_ENDIAN
        ? new Float64Array(raw)
        : Float64Array.from({ length: count }, (_, i) => dv.getFloat64(i * 8, true));
      break;
    case "F32":
      out = LITTLE_ENDIAN
        ? new Float32Array(raw)
        : Float32Array.from({ length: count }, (_, i) => dv.getFloat32(i * 4, true));
      break;
    case "I32":
      out = LITTLE_ENDIAN
        ? new Int32Array(raw)
        : Int32Array.from({ length: count }, (_, i) => dv.getInt32(i * 4, true));
      break;
    case "U8":
      out = new Uint8Array(raw);
      break;
    case "BOOL": {
      const b = new Uint8Array(raw);
      for (let i = 0; i < b.length; i++) b[i] = b[i] === 0 ? 0 : 1;
      out = b;
      break;
    }
    case "F16":
    case "BF16": {
      const f = new Float32Array(count);
      const conv = e.dtype === "F16" ? f16ToF32 : bf16ToF32;
      for (let i = 0; i < count; i++) f[i] = conv(dv.getUint16(i * 2, true));
      out = f;
      break;
    }
    default: {
      // Integer types widened or narrowed to int32; values that do not fit are an error, not a wrap.
      const o = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const p = i * item;
        let v: number | bigint;
        switch (e.dtype) {
          case "I8":
            v = dv.getInt8(p);
            break;
          case "I16":
            v = dv.getInt16(p, true);
            break;
          case "U16":
            v = dv.getUint16(p, true);
            break;
          case "U32":
            v = dv.getUint32(p, true);
            break;
          case "I64":
            v = dv.getBigInt64(p, true);
            break;
          default:
            v = dv.getBigUint64(p, true);
        }
        if (v < -2147483648 || v > 2147483647) {
          fail(`tensor '${e.name}': ${e.dtype} value ${v} at index ${i} does not fit int32`);
        }
        o[i] = Number(v);
      }
      out = o;
    }
  }
  return new NDArray(out, e.shape, dtype);
}

/**
 * Parses a safetensors file's bytes into arrays (copies: the input can be reused). F64, F32, I32, U8 and BOOL
 * load as float64, float32, int32, uint8 and bool; F16 and BF16 widen exactly to float32; I8, I16, U16 become
 * int32, and I64, U64, U32 too when every value fits (otherwise an error). FP8 and complex dtypes are
 * rejected. The whole header is validated before any tensor is decoded; errors are `SafetensorsError`s.
 */
export function parseSafetensors(
  input: Uint8Array | ArrayBufferLike,
  options: ParseSafetensorsOptions = {},
): ParsedSafetensors {
  const bytes = asBytes(input);
  const { entries, metadata, dataStart } = parseSafetensorsHeader(bytes, options);
  for (const e of entries) {
    if (READ_DTYPE[e.dtype] === undefined) fail(`tensor '${e.name}': unsupported dtype '${e.dtype}'`);
  }
  const tensors: Record<string, NDArray> = Object.create(null);
  for (const e of entries) tensors[e.name] = decode(bytes, e, dataStart);
  return { tensors, metadata };
}

/**
 * Serialises arrays to safetensors bytes. Tensors are laid out as the reference implementation does (by
 * element size, largest first, then by name) so every one is aligned; the header is padded with spaces to a
 * multiple of 8 bytes. `metadata` is a string-to-string map stored under `__metadata__`.
 */
export function serializeSafetensors(
  tensors: Record<string, NDArray>,
  metadata?: Record<string, string>,
): Uint8Array {
  const items = Object.entries(tensors).map(([name, x]) => {
    if (name === "__metadata__") fail("'__metadata__' is reserved and cannot name a tensor");
    if (!(x instanceof NDArray)) fail(`tensor '${name}' is not an NDArray`);
    const dtype = WRITE_DTYPE[x.dtype];
    return { name, x, dtype, item: ITEM_BYTES[dtype]! };
  });
  items.sort((a, b) => b.item - a.item || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    const meta: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") fail(`metadata '${k}' must be a string, got ${typeof v}`);
      meta[k] = v;
    }
    header.__metadata__ = meta;
  }
  let offset = 0;
  for (const { name, x, dtype, item } of items) {
    const nbytes = x.size * item;
    Object.defineProperty(header, name, {
      value: { dtype, shape: [...x.shape], data_offsets: [offset, offset + nbytes] },
      enumerable: true,
      configurable: true,
      writable: true,
    });
    offset += nbytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, n % 2 ** 32, true);
  dv.setUint32(4, Math.floor(n / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let pos = 8 + n;
  for (const { x, item } of items) {
    const data = x.dataSync();
    if (LITTLE_ENDIAN || item === 1) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
      if (x.dtype === "bool") for (let i = 0; i < data.length; i++) out[pos + i] = data[i] ? 1 : 0;
    } else {
      for (let i = 0; i < data.length; i++) {
        const p = pos + i * item;
        if (x.dtype === "float64") dv.setFloat64(p, data[i]!, true);
        else if (x.dtype === "float32") dv.setFloat32(p, data[i]!, true);
        else dv.setInt32(p, data[i]!, true);
      }
    }
    pos += data.length * item;
  }
  return out;
}
