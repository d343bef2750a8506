// Resident buffers: typed arrays in wasm memory that the kernels read and write in place. Every kernel must give
// the same bits on resident arrays as on JS arrays (copied in and out), whatever aliases what, and a traced
// training step on resident plans must equal the copying path bit for bit.
import * as np from "@chainrule/ndarray";
import * as conv from "@chainrule/layer-conv";
import * as nn from "@chainrule/nn";
import * as optim from "@chainrule/optim";
import { Variable } from "@chainrule/autograd";
import { compileTrainStep, placeholder, trace } from "@chainrule/graph";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  adamUpdate,
  biasAct,
  binary,
  copyStats,
  createBackend,
  disposeBackend,
  gemm,
  compileElementwiseAnySize,
  unary,
} from "./index";
import { wasmConvKernels } from "./conv-kernels";
import { Heap } from "./wasm/heap";
import { residentArray, residentPtr } from "./wasm/resident";
import { runtime } from "./wasm/runtime";
import { randomArray, rng } from "./test-helpers";

const before = np.getBackend();
afterAll(() => np.setBackend(before));

const owner = {}; // keeps this file's resident arrays alive
const resident = (x: Float32Array): Float32Array => {
  const r = residentArray(runtime(), "float32", x.length, owner) as Float32Array;
  r.set(x);
  return r;
};
const bits = (a: ArrayLike<number>) =>
  Array.from(a, (v) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : v));
const copiedBytes = (f: () => void) => {
  const s0 = copyStats();
  f();
  const s1 = copyStats();
  return s1.bytesIn - s0.bytesIn + s1.bytesOut - s0.bytesOut;
};

describe("the heap of resident blocks", () => {
  it("keeps live blocks 64-byte aligned, disjoint and inside [base, top) through random allocs and frees", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 64, shared: true });
    const heap = new Heap(memory, 1000);
    const r = rng(5);
    const live = new Map<number, number>();
    const bad: string[] = [];
    for (let i = 0; i < 2000; i++) {
      if (live.size > 0 && r(0, 1) < 0.45) {
        const ptrs = [...live.keys()];
        const ptr = ptrs[Math.floor(r(0, ptrs.length))]!;
        heap.release(ptr);
        live.delete(ptr);
      } else {
        const bytes = Math.floor(r(1, 5000));
        const ptr = heap.alloc(bytes);
        live.set(ptr, bytes);
      }
      const blocks = [...live].sort((a, b) => a[0] - b[0]);
      for (let k = 0; k < blocks.length; k++) {
        const [p, b] = blocks[k]!;
        const apart = k === 0 || blocks[k - 1]![0] + blocks[k - 1]![1] <= p;
        if (p % 64 !== 0 || p < heap.base || p + b > heap.top || !apart)
          bad.push(`step ${i}: block ${p}+${b}`);
      }
    }
    expect(bad).toEqual([]);
    for (const ptr of live.keys()) heap.release(ptr);
    expect(heap.top).toBe(heap.base); // everything merged back, the arena starts at the base again
    expect(memory.buffer.byteLength).toBeLessThanOrEqual(64 * 65536);
  });

  it("gives out views that stay valid and resident while the shared memory grows", () => {
    const x = resident(randomArray(Float32Array, 1000, 1));
    const copy = Float32Array.from(x);
    const big = residentArray(runtime(), "float32", 8 << 20, owner); // 32 MB: grows the memory
    expect(big.every((v) => v === 0)).toBe(true);
    expect(bits(x)).toEqual(bits(copy));
    expect(residentPtr(runtime(), x, 0, x.length)).toBe(x.byteOffset);
    expect(residentPtr(runtime(), copy, 0, copy.length)).toBe(-1);
  });
});

describe("kernels on resident arrays", () => {
  const m = 37;
  const k = 53;
  const n = 29;
  const A = randomArray(Float32Array, m * k, 2);
  const B = randomArray(Float32Array, k * n, 3);

  it("gemm reads and writes them in place, with the bits of the copying path", () => {
    const want = new Float32Array(m * n);
    gemm("float32", false, false, m, n, k, 1, A, 0, k, B, 0, n, 0, want, 0, n);
    const [a, b, c] = [resident(A), resident(B), resident(new Float32Array(m * n))];
    expect(copiedBytes(() => gemm("float32", false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n))).toBe(
      0,
    );
    expect(bits(c)).toEqual(bits(want));
  });

  it("gemm whose C overlaps A computes through the arena, like the copying path", () => {
    // C = A·Aᵀ written over A's first m·m elements: every element of A must be read before any is written.
    const a = resident(A);
    const want = new Float32Array(A);
    gemm("float32", false, true, m, m, k, 1, A, 0, k, A, 0, k, 0, want, 0, m);
    gemm("float32", false, true, m, m, k, 1, a, 0, k, a, 0, k, 0, a, 0, m);
    expect(bits(a)).toEqual(bits(want));
  });

  it("elementwise kernels in place on one resident array (output = input) equal the copying path", () => {
    const x = randomArray(Float32Array, 5000, 4);
    const r = resident(x);
    unary("relu", r, r);
    expect(bits(r)).toEqual(bits(unary("relu", x)));
    const y = resident(x);
    binary("mul", y, y, y);
    expect(bits(y)).toEqual(bits(binary("mul", x, x)));
  });

  it("biasAct and Adam on resident arrays equal the copying path and copy nothing", () => {
    const x = randomArray(Float32Array, 64 * 48, 5);
    const bias = randomArray(Float32Array, 48, 6);
    const want = biasAct(x, bias, "relu");
    const out = resident(new Float32Array(x.length));
    const [rx, rb] = [resident(x), resident(bias)];
    expect(copiedBytes(() => biasAct(rx, rb, "relu", out))).toBe(0);
    expect(bits(out)).toEqual(bits(want));

    const [p, g, m1, v1] = [7, 8, 9, 10].map((s) => randomArray(Float32Array, 6000, s));
    const v = v1!.map(Math.abs);
    const host = [p!, g!, m1!, v].map((t) => Float32Array.from(t));
    const res = [p!, g!, m1!, v].map(resident);
    adamUpdate(host[0]!, host[1]!, host[2]!, host[3]!, 1e-3, 0.9, 0.999, 1e-8, 3);
    expect(copiedBytes(() => adamUpdate(res[0]!, res[1]!, res[2]!, res[3]!, 1e-3, 0.9, 0.999, 1e-8, 3))).toBe(
      0,
    );
    for (let i = 0; i < 4; i++) expect(bits(res[i]!)).toEqual(bits(host[i]!));
  });

  it("a fused group reads resident inputs and writes a resident output in place", () => {
    // relu(x + b) over [37, 29]: 1,073 elements, so the last vector store runs past the output's end.
    const shape = [37, 29];
    const xs = randomArray(Float32Array, 37 * 29, 11);
    const b = randomArray(Float32Array, 29, 12);
    const group = (x: Float32Array, out: Float32Array): np.ElementwiseGroup => ({
      members: [
        { op: "add", dtype: "float32", operands: [-1, -2] },
        { op: "relu", dtype: "float32", operands: [0] },
      ],
      ext: [new np.NDArray(x, shape, "float32"), new np.NDArray(b, shape, "float32", [0, 1], 0)],
      extLiteral: [undefined, undefined],
      out: new np.NDArray(out, shape, "float32"),
    });
    const hostOut = new Float32Array(xs.length);
    compileElementwiseAnySize(group(xs, hostOut))!();
    const block = resident(new Float32Array(xs.length + 16)).fill(7);
    const rOut = block.subarray(0, xs.length); // the tail past it must come through unchanged
    const run = compileElementwiseAnySize(group(resident(xs), rOut))!;
    expect(copiedBytes(run)).toBe(29 * 4); // only the bias row, which is not resident
    expect(bits(rOut)).toEqual(bits(hostOut));
    expect(Array.from(block.subarray(xs.length))).toEqual(new Array(16).fill(7));
  });
});

describe("traced training steps on resident plans", () => {
  /** Runs `steps` traced steps and returns the losses and every parameter's bits, and the bytes copied per step. */
  function train(
    backend: np.Backend,
    build: () => { params: Variable[]; loss: (x: np.NDArray, y: np.NDArray) => np.NDArray },
    inputs: [np.NDArray, np.NDArray],
    steps: number,
  ) {
    np.setBackend(backend);
    const { params, loss } = build();
    const step = compileTrainStep({
      loss,
      inputs: inputs.map((t, i) => placeholder(t.shape, t.dtype, `in${i}`)),
      optimizer: new optim.Adam(params, { lr: 1e-2 }),
    });
    const losses: number[] = [];
    let bytes = 0;
    for (let s = 0; s < steps; s++)
      bytes = copiedBytes(() => losses.push(step(...inputs).loss.item() as number));
    const out = { losses, params: params.map((p) => bits(p.dataSync())), bytes };
    np.setBackend(before);
    return out;
  }

  it("the Fashion CNN: equal bit for bit to the copying path over 4 steps, with far fewer bytes copied", async () => {
    const residentBackend = await createBackend({ primitiveKernels: wasmConvKernels });
    const copying = await createBackend({ primitiveKernels: wasmConvKernels, resident: false });
    expect(residentBackend.residentMemory).toBeDefined();
    expect(copying.residentMemory).toBeUndefined();
    const r = new np.Random(2);
    const x = r.uniform([8, 28, 28], 0, 1, "float32");
    const y = np.array([1, 3, 5, 7, 0, 2, 4, 6], { dtype: "int32" });
    const build = () => {
      const model = conv.fashionCnn(0);
      return {
        params: model.parameters(),
        loss: (xb: np.NDArray, yb: np.NDArray) => nn.sparseSoftmaxCrossEntropy(model.call(xb), yb),
      };
    };
    const want = train(copying, build, [x, y], 4);
    const got = train(residentBackend, build, [x, y], 4);
    expect(got.losses).toEqual(want.losses);
    expect(got.params).toEqual(want.params);
    // What is still copied: the parameters and Adam's state (JS arrays owned by the model and optimizer).
    expect(got.bytes).toBeLessThan(0.5 * want.bytes);
  });

  it("an MLP: equal bit for bit to the copying path over 4 steps", async () => {
    const residentBackend = await createBackend();
    const copying = await createBackend({ resident: false });
    const r = new np.Random(3);
    const x = r.uniform([64, 300], 0, 1, "float32");
    const t = np.oneHot(r.randint(0, 10, [64]), 10);
    const build = () => {
      const init = new np.Random(0);
      const sizes = [300, 128, 64, 10];
      const ls = sizes.slice(1).map((out, i) => ({
        w: new Variable(init.uniform([sizes[i]!, out], -0.1, 0.1, "float32")),
        b: new Variable(np.zeros([out], "float32")),
      }));
      const loss = (xb: np.NDArray, tb: np.NDArray) => {
        let h = xb;
        ls.forEach((l, i) => {
          h = np.matmul(h, l.w).add(l.b);
          if (i < ls.length - 1) h = np.relu(h);
        });
        return np.mean(np.sum(np.logSoftmax(h).mul(tb), -1).neg());
      };
      return { params: ls.flatMap((l) => [l.w, l.b]), loss };
    };
    const want = train(copying, build, [x, t], 4);
    const got = train(residentBackend, build, [x, t], 4);
    expect(got.losses).toEqual(want.losses);
    expect(got.params).toEqual(want.params);
    expect(got.bytes).toBeLessThan(want.bytes);
  });

  it("hands out fetched values in JS arrays, equal to the copying path's", async () => {
    const r = new np.Random(5);
    const x = r.uniform([64, 128], -1, 1, "float32");
    const w = r.uniform([128, 128], -1, 1, "float32");
    const run = (backend: np.Backend) => {
      np.setBackend(backend);
      const f = trace((v: np.NDArray) => np.relu(np.matmul(v, w)), [placeholder([64, 128], "float32", "v")]);
      const y = f(x) as np.NDArray;
      np.setBackend(before);
      return y;
    };
    const got = run(await createBackend());
    const want = run(await createBackend({ resident: false }));
    expect(got.buffer.buffer instanceof SharedArrayBuffer).toBe(false);
    expect(bits(got.dataSync())).toEqual(bits(want.dataSync()));
  });
});

describe("without shared memory", () => {
  afterAll(async () => {
    vi.unstubAllGlobals();
    await disposeBackend();
  });

  it("the backend has no resident memory (views would detach on growth) and plans use JS arrays", async () => {
    await disposeBackend();
    vi.stubGlobal("SharedArrayBuffer", undefined);
    const backend = await createBackend();
    expect(runtime().shared).toBe(false);
    expect(backend.residentMemory).toBeUndefined();
    expect(() => residentArray(runtime(), "float32", 4, owner)).toThrow(/shared wasm memory/);
    np.setBackend(backend);
    const x = np.ones([64, 128], "float32");
    const f = trace(
      (v: np.NDArray) => np.matmul(v, np.transpose(v)),
      [placeholder([64, 128], "float32", "v")],
    );
    const y = (f(x) as np.NDArray).dataSync();
    np.setBackend(before);
    expect(y.every((v) => v === 128)).toBe(true);
  });
});
