import { afterEach, describe, expect, it } from "vitest";
import * as np from "./index";
import { fakeDevice } from "./testing/fake-device";

const before = np.getBackend();
afterEach(() => {
  np.setBackend(before);
  np.setPoolLimit(256 * 1024 * 1024);
});

/** A few steps of arithmetic whose buffers (600 float32 = 2400 bytes) are all pooled sizes. */
function chain(seed: number): Float32Array {
  const rng = new np.Random(seed);
  let x = rng.normal([20, 30]);
  for (let i = 0; i < 5; i++) {
    const y = np.tanh(np.matmul(x, rng.normal([30, 30]))).mul(0.5);
    x = np.add(y, np.exp(y.neg())).sub(x.mean(0));
  }
  return x.toTypedArray() as Float32Array;
}

describe("tidy", () => {
  it("releases what the function made and did not return; the result survives with its values", () => {
    let inner: np.NDArray | undefined;
    const out = np.tidy(() => {
      inner = np.arange(0, 300, 1, "float32").mul(2);
      return inner.add(1);
    });
    expect(inner!.isDisposed).toBe(true);
    expect(out.isDisposed).toBe(false);
    expect(Array.from(out.dataSync().slice(0, 4))).toEqual([1, 3, 5, 7]);
    expect(() => inner!.add(1)).toThrow(
      /^add: this \[300\] float32 array was disposed \(by tidy\(\) or dispose\(\)\).*keep\(\) it/,
    );
    expect(() => inner!.dataSync()).toThrow(/^dataSync: this \[300\] float32 array was disposed/);
    expect(() => np.sum(inner!)).toThrow(/^sum: /);
    expect(String(inner)).toBe("array(<disposed>, shape=[300], dtype=float32)");
  });

  it("hands released buffers to later arrays of the same byte length, zero-filled", () => {
    np.tidy(() => {
      np.full([500], 7, "float32");
    });
    const reused = np.poolStats().reused;
    const z = np.zeros([250], "float64"); // 2000 bytes, as the released float32 [500]
    expect(np.poolStats().reused).toBe(reused + 1);
    expect(Array.from(z.dataSync()).every((v) => v === 0)).toBe(true);
  });

  it("gives bit-identical results with reuse on and off", () => {
    np.setPoolLimit(0);
    const fresh = chain(3);
    np.setPoolLimit(256 * 1024 * 1024);
    for (let i = 0; i < 3; i++) np.tidy(() => chain(i)); // fills the pool with dirty buffers
    const start = np.poolStats().reused;
    const pooled = np.tidy(() => chain(3));
    expect(np.poolStats().reused - start).toBeGreaterThan(10);
    expect(pooled).toEqual(fresh);
    expect(Array.from(pooled).every(Number.isFinite)).toBe(true);
  });

  it("keeps the arrays that returned views look at, and releases views of released arrays", () => {
    let base: np.NDArray | undefined;
    let view: np.NDArray | undefined;
    const t = np.tidy(() => {
      const a = np.arange(0, 100, 1, "float32").add(0);
      base = np.arange(0, 100, 1, "float32").add(0);
      view = base.reshape([10, 10]);
      return a.reshape([10, 10]).T;
    });
    // These would take a's buffer (400 bytes) were it released.
    np.tidy(() => Array.from({ length: 6 }, () => np.full([100], 9, "float32")));
    expect(t.toArray()).toEqual(
      Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => j * 10 + i)),
    );
    expect(() => view!.sum()).toThrow(/^sum: this \[10, 10\] float32 array was disposed/);
  });

  it("finds returned arrays inside arrays, objects and Maps, and keeps returned typed arrays' memory", () => {
    const r = np.tidy(() => {
      const a = np.ones([300]).mul(3);
      return {
        list: [a, { deep: np.ones([300]).mul(4) }],
        map: new Map([["m", np.ones([300]).mul(5)]]),
        raw: np.ones([300]).mul(6).dataSync(),
      };
    });
    np.tidy(() => Array.from({ length: 8 }, () => np.ones([300]).mul(9)));
    const firsts = [r.list[0] as np.NDArray, (r.list[1] as { deep: np.NDArray }).deep, r.map.get("m")!];
    expect(firsts.map((x) => x.dataSync()[299])).toEqual([3, 4, 5]);
    expect(r.raw[0]).toBe(6);
    expect(r.raw[299]).toBe(6);
  });

  it("nests: an inner result belongs to the outer scope, which releases it unless returned", () => {
    let fromInner: np.NDArray | undefined;
    const out = np.tidy(() => {
      fromInner = np.tidy(() => np.ones([100]).add(1));
      expect(fromInner.isDisposed).toBe(false);
      return fromInner.mul(2);
    });
    expect(fromInner!.isDisposed).toBe(true);
    expect(out.dataSync()[0]).toBe(4);
  });

  it("keep() exempts an array from every scope; dispose() releases it", () => {
    let kept: np.NDArray | undefined;
    np.tidy(() => {
      np.tidy(() => void (kept = np.keep(np.ones([100]).add(1))));
      np.ones([100]).add(2); // released
    });
    expect(kept!.isDisposed).toBe(false);
    expect(kept!.dataSync()[0]).toBe(2);
    kept!.dispose();
    expect(kept!.isDisposed).toBe(true);
    expect(() => kept!.mul(2)).toThrow(/^mul: this \[100\] float32 array was disposed/);
  });

  it("releases everything when the function throws, and refuses a Promise", () => {
    let made: np.NDArray | undefined;
    expect(() =>
      np.tidy(() => {
        made = np.ones([100]).add(1);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(made!.isDisposed).toBe(true);
    expect(() => np.tidy(() => Promise.resolve(np.ones([3]).add(1)))).toThrow(
      /tidy: the function returned a Promise/,
    );
  });

  it("releases nothing while a recorder is still recording, and tracks nothing under a tracer-like one", () => {
    const tape: np.Recorder = { record: () => {}, scoped: true };
    np.pushRecorder(tape);
    let a: np.NDArray | undefined;
    np.tidy(() => void (a = np.ones([100]).add(1)));
    np.popRecorder(tape);
    expect(a!.isDisposed).toBe(false);

    const tracer: np.Recorder = { record: () => {} }; // keeps what it records (a graph plan's constants)
    let b: np.NDArray | undefined;
    np.tidy(() => {
      np.pushRecorder(tracer);
      b = np.ones([100]).add(1);
      np.popRecorder(tracer);
    });
    expect(b!.isDisposed).toBe(false);
  });
});

describe("dispose", () => {
  it("recycles only buffers chainrule allocated: an array over your own memory is only marked", () => {
    const mine = new Float32Array(437).fill(5); // a length no other test releases
    const wrapped = np.fromTypedArray(mine, [437]);
    const reused = np.poolStats().reused;
    np.dispose(wrapped);
    expect(wrapped.isDisposed).toBe(true);
    const next = np.zeros([437]);
    expect(np.poolStats().reused).toBe(reused);
    expect(next.dataSync().buffer).not.toBe(mine.buffer);
    expect(mine[0]).toBe(5);
  });

  it("takes nested values, and disposing twice is harmless", () => {
    const a = np.ones([100]).add(1);
    const b = np.ones([100]).add(2);
    np.dispose([a, { b }]);
    np.dispose(a);
    expect([a.isDisposed, b.isDisposed]).toEqual([true, true]);
  });
});

describe("tidy on a device backend", () => {
  it("marks device arrays disposed: their use throws, naming the op", async () => {
    np.setBackend(fakeDevice().backend);
    let inner: np.NDArray | undefined;
    const out = np.tidy(() => {
      inner = np.add(np.arange(0, 6, 1, "float32"), 1);
      return inner.mul(2);
    });
    expect(Array.from(await out.data())).toEqual([2, 4, 6, 8, 10, 12]);
    await expect(inner!.data()).rejects.toThrow(/^data: this \[6\] float32 array was disposed/);
  });
});

describe("checks deferred to the next read (device values)", () => {
  it("survive the tidy of the op that queued them, and still report", async () => {
    np.setBackend(fakeDevice().backend);
    const exponents = np.tidy(() => np.add(np.array([1, -2], { dtype: "int32" }), 0));
    np.tidy(() => void np.pow(np.add(np.array([2, 3], { dtype: "int32" }), 0), exponents));
    await expect(np.ones([1]).data()).rejects.toThrow(/pow: integers to negative integer powers/);
  });
});
