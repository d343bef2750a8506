import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import {
  BatchNorm1d,
  Dense,
  Module,
  SafetensorsError,
  Sequential,
  StateDictError,
  loadWeights,
  parseSafetensors,
  parseSafetensorsHeader,
  saveWeights,
  serializeSafetensors,
} from "./index";

const enc = new TextEncoder();

/** A safetensors file built by hand from the spec: u64 LE header length, header bytes, data bytes. */
function file(
  header: string | object,
  data: Uint8Array | number[] = [],
  headerLength?: number | bigint,
): Uint8Array {
  const h = enc.encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const le = (kind: "f32" | "f64" | "i32" | "u16" | "i64", values: (number | bigint)[]) => {
  const size = { f32: 4, f64: 8, i32: 4, u16: 2, i64: 8 }[kind];
  const b = new Uint8Array(values.length * size);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => {
    if (kind === "f32") dv.setFloat32(i * 4, Number(v), true);
    else if (kind === "f64") dv.setFloat64(i * 8, Number(v), true);
    else if (kind === "i32") dv.setInt32(i * 4, Number(v), true);
    else if (kind === "u16") dv.setUint16(i * 2, Number(v), true);
    else dv.setBigInt64(i * 8, BigInt(v), true);
  });
  return b;
};

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

describe("safetensors: compatibility with the reference implementation", () => {
  it("serialises byte for byte as huggingface/safetensors does (its test_simple.py fixture)", () => {
    const out = serializeSafetensors({ test: np.zeros([2, 2], "int32") });
    const expected =
      "@\x00\x00\x00\x00\x00\x00\x00" +
      '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}    ' +
      "\x00".repeat(16);
    expect(latin1(out)).toBe(expected);
  });

  it("parses the reference's fixture with metadata (a 102-byte, unaligned header)", () => {
    const bytes = Uint8Array.from(
      'f\x00\x00\x00\x00\x00\x00\x00{"__metadata__":{"framework":"pt"},"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}       ' +
        "\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\x04\x00\x00\x00",
      (c) => c.charCodeAt(0),
    );
    const { tensors, metadata } = parseSafetensors(bytes);
    expect({ ...metadata }).toEqual({ framework: "pt" });
    expect(Object.keys(tensors)).toEqual(["test1"]);
    expect(tensors.test1!.dtype).toBe("int32");
    expect(tensors.test1!.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("parses a file written by hand from the spec, with tensors in any header order", () => {
    const header = {
      bias: { dtype: "F64", shape: [2], data_offsets: [16, 32] },
      __metadata__: { note: "by hand" },
      weight: { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] },
      empty: { dtype: "F32", shape: [0, 5], data_offsets: [32, 32] },
      step: { dtype: "I32", shape: [], data_offsets: [32, 36] },
    };
    const data = concat(le("f32", [1.5, -2, 0.25, 3]), le("f64", [0.1, -1e300]), le("i32", [-7]));
    const { tensors, metadata } = parseSafetensors(file(header, data));
    expect(metadata.note).toBe("by hand");
    expect(tensors.weight!.dtype).toBe("float32");
    expect(tensors.weight!.toArray()).toEqual([
      [1.5, -2],
      [0.25, 3],
    ]);
    expect(tensors.bias!.dtype).toBe("float64");
    expect(tensors.bias!.toArray()).toEqual([0.1, -1e300]);
    expect(tensors.empty!.shape).toEqual([0, 5]);
    expect(tensors.step!.shape).toEqual([]);
    expect(tensors.step!.item()).toBe(-7);
    // File order (by offset).
    expect(Object.keys(tensors)).toEqual(["weight", "bias", "empty", "step"]);
  });

  it("writes a spec-conforming header: padded to 8 bytes with spaces, aligned tensors tiling the data", () => {
    const tensors = {
      b: np.array([1.5, -2], { dtype: "float32" }),
      a: np.array([[1, 2, 3]], { dtype: "float64" }),
      mask: np.array([true, false, true]),
      ids: np.array([1, 255], { dtype: "uint8" }),
      count: np.array([-3], { dtype: "int32" }),
    };
    const out = serializeSafetensors(tensors, { producer: "chainrule" });
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(out.subarray(8, 8 + n));
    expect(text).toMatch(/^\{.*\} *$/);
    const header = JSON.parse(text);
    expect(header.__metadata__).toEqual({ producer: "chainrule" });
    // Largest elements first, then by name (the reference's order): a (F64), b, count (4 bytes), ids, mask.
    expect(header.a).toEqual({ dtype: "F64", shape: [1, 3], data_offsets: [0, 24] });
    expect(header.b).toEqual({ dtype: "F32", shape: [2], data_offsets: [24, 32] });
    expect(header.count).toEqual({ dtype: "I32", shape: [1], data_offsets: [32, 36] });
    expect(header.ids).toEqual({ dtype: "U8", shape: [2], data_offsets: [36, 38] });
    expect(header.mask).toEqual({ dtype: "BOOL", shape: [3], data_offsets: [38, 41] });
    expect(out.length).toBe(8 + n + 41);
    const data = out.subarray(8 + n);
    // 1.5f = 0x3FC00000, little-endian.
    expect(Array.from(data.subarray(24, 28))).toEqual([0x00, 0x00, 0xc0, 0x3f]);
    expect(Array.from(data.subarray(36))).toEqual([1, 255, 1, 0, 1]);
    expect(new DataView(data.buffer, data.byteOffset).getFloat64(8, true)).toBe(2);
  });
});

describe("safetensors: round trips", () => {
  it("keeps every dtype, shape and value (NaN, ±Infinity, −0, extremes)", () => {
    const tensors: Record<string, np.NDArray> = {
      f64: np.array(
        [
          [Math.PI, -0, Infinity],
          [NaN, 5e-324, -1.7976931348623157e308],
        ],
        { dtype: "float64" },
      ),
      f32: np.array([1.1, -Infinity, 3.4028234663852886e38], { dtype: "float32" }),
      i32: np.array([-2147483648, 2147483647, 0], { dtype: "int32" }),
      u8: np.array([0, 128, 255], { dtype: "uint8" }),
      bool: np.array([[true], [false]]),
      scalar: np.array(42, { dtype: "float64" }),
      empty: np.zeros([0, 3]),
      "layers.0.kernel": np.arange(6, undefined, undefined, "float32").reshape([2, 3]).T, // a strided view
      "ünïcødé ✓": np.ones([1]),
    };
    const { tensors: back } = parseSafetensors(serializeSafetensors(tensors));
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      expect(back[name]!.dtype, name).toBe(t.dtype);
      expect(back[name]!.shape, name).toEqual(t.shape);
      expect(Object.is(back.f64!.toTypedArray()[1], -0)).toBe(true);
      expect(Array.from(back[name]!.dataSync()), name).toEqual(Array.from(t.dataSync()));
    }
    // The parsed arrays own their memory.
    const bytes = serializeSafetensors({ x: np.ones([2]) });
    const parsed = parseSafetensors(bytes.buffer).tensors.x!;
    bytes.fill(0);
    expect(parsed.toArray()).toEqual([1, 1]);
  });

  it("accepts a Uint8Array that is a window into a larger buffer", () => {
    const inner = serializeSafetensors({ w: np.array([1, 2, 3]) });
    const big = new Uint8Array(inner.length + 3);
    big.set(inner, 3);
    expect(parseSafetensors(big.subarray(3)).tensors.w!.toArray()).toEqual([1, 2, 3]);
  });

  it("converts F16, BF16 and narrower/wider integers exactly", () => {
    const header = {
      h: { dtype: "F16", shape: [5], data_offsets: [0, 10] },
      bf: { dtype: "BF16", shape: [2], data_offsets: [10, 14] },
      u16: { dtype: "U16", shape: [1], data_offsets: [14, 16] },
      i64: { dtype: "I64", shape: [2], data_offsets: [16, 32] },
      i8: { dtype: "I8", shape: [2], data_offsets: [32, 34] },
    };
    const data = concat(
      le("u16", [0x3c00, 0xc000, 0x7c00, 0x0001, 0x3555]),
      le("u16", [0x3f80, 0x4049]),
      le("u16", [65535]),
      le("i64", [-5n, 2147483647n]),
      Uint8Array.from([0x80, 0x7f]),
    );
    const { tensors } = parseSafetensors(file(header, data));
    expect(tensors.h!.dtype).toBe("float32");
    expect(Array.from(tensors.h!.dataSync())).toEqual([1, -2, Infinity, 2 ** -24, 1365 / 4096]);
    expect(Array.from(tensors.bf!.dataSync())).toEqual([1, 3.140625]);
    expect(Array.from(tensors.u16!.dataSync())).toEqual([65535]);
    expect(tensors.i64!.dtype).toBe("int32");
    expect(Array.from(tensors.i64!.dataSync())).toEqual([-5, 2147483647]);
    expect(Array.from(tensors.i8!.dataSync())).toEqual([-128, 127]);
  });
});

describe("safetensors: malformed and hostile files get clear errors", () => {
  const good = { w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  const eight = le("f32", [1, 2]);
  const cases: [string, Uint8Array, RegExp][] = [
    ["empty", new Uint8Array(0), /0 bytes, too short for the 8-byte header length/],
    ["truncated length", Uint8Array.from([8, 0, 0]), /3 bytes, too short/],
    ["header past the end", file(good, eight, 500), /header length 500 runs past the end of the file/],
    ["truncated file", file(good, eight).subarray(0, 30), /runs past the end of the file/],
    [
      "absurd header length",
      file(good, eight, 2n ** 60n),
      /header length 1152921504606846976 is larger than the limit/,
    ],
    ["header over the limit", file(good, eight, 200_000_000), /larger than the limit of 100000000 bytes/],
    ["not JSON", file('{"w": oops}', eight), /header is not valid JSON/],
    ["not starting with {", file("[1, 2]", eight), /does not start with '\{'/],
    ["invalid UTF-8", file('{"w\xff": 1}', eight).map((b) => (b === 0xc3 ? 0xff : b)), /not valid UTF-8/],
    [
      "unknown dtype",
      file({ w: { dtype: "F33", shape: [2], data_offsets: [0, 8] } }, eight),
      /tensor 'w': unknown dtype 'F33'/,
    ],
    [
      "unsupported dtype",
      file({ w: { dtype: "F8_E4M3", shape: [8], data_offsets: [0, 8] } }, eight),
      /tensor 'w': unsupported dtype 'F8_E4M3'/,
    ],
    [
      "negative dimension",
      file({ w: { dtype: "F32", shape: [-2], data_offsets: [0, 8] } }, eight),
      /shape must be a list of non-negative integers/,
    ],
    [
      "fractional dimension",
      file({ w: { dtype: "F32", shape: [1.5], data_offsets: [0, 8] } }, eight),
      /shape must be/,
    ],
    [
      "bad offsets",
      file({ w: { dtype: "F32", shape: [2], data_offsets: [0] } }, eight),
      /data_offsets must be \[begin, end\]/,
    ],
    [
      "reversed offsets",
      file({ w: { dtype: "F32", shape: [0], data_offsets: [8, 0] } }, eight),
      /end before they begin/,
    ],
    [
      "offsets out of range",
      file({ w: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }, eight),
      /run past the data buffer \(8 bytes\)/,
    ],
    [
      "size mismatch",
      file({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, eight),
      /needs 12 bytes but data_offsets \[0, 8\] hold 8/,
    ],
    [
      "huge shape",
      file({ w: { dtype: "F32", shape: [1e9, 1e9], data_offsets: [0, 8] } }, eight),
      /needs 4000000000000000000 bytes/,
    ],
    [
      "overlapping tensors",
      file(
        {
          a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
          b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
        },
        new Uint8Array(12),
      ),
      /tensor 'b' \[4, 12\] overlaps tensor 'a' \[0, 8\]/,
    ],
    [
      "a hole",
      file(
        {
          a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
          b: { dtype: "F32", shape: [1], data_offsets: [8, 12] },
        },
        new Uint8Array(12),
      ),
      /bytes \[4, 8\) of the data buffer belong to no tensor/,
    ],
    [
      "trailing bytes",
      file(good, concat(eight, new Uint8Array(4))),
      /bytes \[8, 12\) of the data buffer belong to no tensor/,
    ],
    [
      "metadata not strings",
      file({ ...good, __metadata__: { epoch: 3 } }, eight),
      /__metadata__\['epoch'\] must be a string/,
    ],
    ["entry not an object", file({ w: [1, 2] }, eight), /tensor 'w': entry must be an object/],
    [
      "int64 out of int32 range",
      file({ w: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, le("i64", [2n ** 40n])),
      /I64 value 1099511627776 at index 0 does not fit int32/,
    ],
  ];
  for (const [name, bytes, message] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => parseSafetensors(bytes)).toThrow(SafetensorsError);
      expect(() => parseSafetensors(bytes)).toThrow(message);
    });
  }

  it("rejects a repeated key instead of letting the last one win", () => {
    const a = le("f32", [1]);
    const twice = `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}`;
    expect(() => parseSafetensors(file(twice, a))).toThrow(
      new SafetensorsError(
        "safetensors: the header repeats the key 'w' (a repeated key would silently replace the first)",
      ),
    );
    const inner = `{"w":{"dtype":"F32","shape":[1],"shape":[1,1],"data_offsets":[0,4]}}`;
    expect(() => parseSafetensors(file(inner, a))).toThrow(/an entry of the header repeats the key 'shape'/);
    // Escapes are decoded before comparing; equal-looking keys in different objects are fine.
    const escaped = `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\\u0077":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`;
    expect(() => parseSafetensors(file(escaped, le("f32", [1, 2])))).toThrow(/repeats the key 'w'/);
    const ok = `{"a\\"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`;
    expect(Object.keys(parseSafetensors(file(ok, le("f32", [1, 2]))).tensors)).toEqual(['a"b', "w"]);
  });

  it("honours a lower header limit", () => {
    expect(() => parseSafetensorsHeader(file(good, eight), { maxHeaderBytes: 16 })).toThrow(
      /limit of 16 bytes/,
    );
  });

  it("is not fooled by a '__proto__' tensor name", () => {
    const bytes = file({ ["__proto__"]: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, eight);
    const { tensors } = parseSafetensors(bytes);
    expect(Object.keys(tensors)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(tensors)).toBe(null);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
    const out = parseSafetensors(serializeSafetensors(tensors)).tensors;
    expect(Array.from(out["__proto__"]!.dataSync())).toEqual([1, 2]);
  });

  it("refuses to write what it cannot", () => {
    expect(() => serializeSafetensors({ __metadata__: np.ones([1]) })).toThrow(/reserved/);
    expect(() => serializeSafetensors({ x: [1, 2] as unknown as np.NDArray })).toThrow(/not an NDArray/);
    expect(() => serializeSafetensors({}, { n: 1 as unknown as string })).toThrow(
      /metadata 'n' must be a string/,
    );
  });
});

describe("saveWeights / loadWeights", () => {
  const makeModel = (seed: number) =>
    new Sequential([new Dense(4, { inputDim: 3, activation: "relu" }), new BatchNorm1d(4), new Dense(2)], {
      seed,
    });
  const snapshot = (m: Module) =>
    JSON.stringify(m.namedVariables().map(([n, v]) => [n, Array.from(v.dataSync())]));

  it("round-trips a model, buffers included", () => {
    const a = makeModel(1);
    a.call(
      np.array([
        [1, 2, 3],
        [0, -1, 2],
        [3, 3, 1],
      ]),
    ); // moves the running statistics
    // A lazy model (no inputDim) must be built before weights can be loaded into it.
    const lazy = new Sequential([new Dense(4, { activation: "relu" }), new BatchNorm1d(4), new Dense(2)]);
    expect(() => loadWeights(lazy, saveWeights(a))).toThrow(/not built yet/);
    const b = makeModel(2);
    expect(snapshot(b)).not.toBe(snapshot(a));
    const bytes = saveWeights(a, { metadata: { epoch: "3" } });
    expect(parseSafetensors(bytes).metadata.epoch).toBe("3");
    loadWeights(b, bytes);
    expect(snapshot(b)).toBe(snapshot(a));
    a.eval();
    b.eval();
    const x = np.array([[0.5, 0.5, -1]]);
    expect(b.call(x).toArray()).toEqual(a.call(x).toArray());
  });

  it("loads nothing from a malformed file or one that does not fit the model", () => {
    const target = makeModel(1).build([3]);
    const before = snapshot(target);
    const good = saveWeights(makeModel(5).build([3]));
    const other = saveWeights(
      new Sequential([new Dense(5, { inputDim: 3 }), new BatchNorm1d(5), new Dense(2)]),
    );
    const truncated = good.subarray(0, good.length - 1);
    const corrupt = good.slice();
    corrupt[10] = 0x00; // inside the JSON header
    expect(() => loadWeights(target, truncated)).toThrow(SafetensorsError);
    expect(() => loadWeights(target, corrupt)).toThrow(SafetensorsError);
    expect(() => loadWeights(target, other)).toThrow(StateDictError);
    expect(() => loadWeights(target, other)).toThrow(
      /'layers\.0\.kernel': the module has shape \[3, 4\], the value \[3, 5\]/,
    );
    // A file whose first tensors fit but whose last has the wrong dtype: still nothing assigned.
    const sd = makeModel(6).build([3]).stateDict();
    sd["layers.2.bias"] = np.array([1, 2], { dtype: "int32" });
    expect(() => loadWeights(target, serializeSafetensors(sd))).toThrow(/dtype float32, the value int32/);
    expect(snapshot(target)).toBe(before);
  });
});
