// The backward pass and tidy scopes: gradients release their temporaries to the buffer pool, and a tape
// that is still recording keeps everything it may need.
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { GradientTape, grad } from "./index";

const N = 300; // 2400-byte float64 arrays: pooled sizes
const xs = Array.from({ length: N }, (_, i) => -3 + (6 * i) / (N - 1));
/** d/dx Σ tanh(x)·x = tanh(x) + x·(1 − tanh²(x)), by hand in float64. */
const closedForm = xs.map((v) => Math.tanh(v) + v * (1 - Math.tanh(v) ** 2));
const f = (x: np.NDArray) => np.sum(np.mul(np.tanh(x), x));

describe("GradientTape and tidy", () => {
  it("releases the backward pass's temporaries and returns the gradient intact", () => {
    const x = np.array(xs, { dtype: "float64" });
    const tape = new GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return f(x);
    });
    const released = np.poolStats().released;
    const g = tape.gradient(y, x)!;
    expect(np.poolStats().released).toBeGreaterThan(released); // vjp temporaries went back
    expect(g.isDisposed).toBe(false);
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(closedForm[i]!, 12));
  });

  it("a tidy inside a recording keeps what the tape recorded, so backward still works", () => {
    const x = np.array(xs, { dtype: "float64" });
    const tape = new GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return np.tidy(() => f(x));
    });
    const g = tape.gradient(y, x)!;
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(closedForm[i]!, 12));
  });

  it("second derivatives through nested tapes inside a tidy: d²/dx² Σx³ = 6x", () => {
    const x = np.array(xs, { dtype: "float64" });
    const g2 = np.tidy(() =>
      grad((v: np.NDArray) => np.sum(grad((u: np.NDArray) => np.sum(u.mul(u).mul(u)))(v)))(x),
    );
    expect(g2.isDisposed).toBe(false);
    Array.from(g2.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(6 * xs[i]!, 10));
  });

  it("gives the same gradients bit for bit with buffer reuse on and off", () => {
    const run = () => {
      const x = np.array(xs, { dtype: "float64" });
      let g = x;
      for (let k = 0; k < 4; k++) g = np.tidy(() => grad((v: np.NDArray) => f(v.mul(g.add(1))))(x));
      return g.toTypedArray();
    };
    np.setPoolLimit(0);
    const fresh = run();
    np.setPoolLimit(256 * 1024 * 1024);
    run(); // leaves dirty buffers in the pool
    const reused = np.poolStats().reused;
    const pooled = run();
    expect(np.poolStats().reused).toBeGreaterThan(reused);
    expect(pooled).toEqual(fresh);
  });
});
