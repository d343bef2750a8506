import { checkGrads } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { describe, expect, it } from "vitest";
import { axisGeometry, col2im, conv2d, im2col, windowGeometry, type Padding } from "./index";

// Output size and leading padding by TensorFlow's documented formulas, written out again here so the tests
// do not trust the package's own geometry.
function tfAxis(size: number, k: number, s: number, d: number, padding: Padding): [number, number] {
  const span = (k - 1) * d + 1;
  if (padding === "valid") return [Math.ceil((size - span + 1) / s), 0];
  const out = Math.ceil(size / s);
  return [out, Math.floor(Math.max((out - 1) * s + span - size, 0) / 2)];
}

interface Config {
  k: [number, number];
  s: [number, number];
  d: [number, number];
  padding: Padding;
}

/** Direct-loop NHWC convolution (cross-correlation) in float64. */
function referenceConv(x: np.NDArray, w: np.NDArray, b: np.NDArray | null, c: Config): np.NDArray {
  const [n, h, wd, cin] = x.shape as [number, number, number, number];
  const [kh, kw, , f] = w.shape as [number, number, number, number];
  const [oh, pt] = tfAxis(h, kh, c.s[0], c.d[0], c.padding);
  const [ow, pl] = tfAxis(wd, kw, c.s[1], c.d[1], c.padding);
  const xs = x.toArray() as number[][][][];
  const ws = w.toArray() as number[][][][];
  const bs = b ? (b.toArray() as number[]) : null;
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let o = 0; o < f; o++) {
          let acc = bs ? bs[o]! : 0;
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++)
              for (let ch = 0; ch < cin; ch++) {
                const iy = oy * c.s[0] - pt + ky * c.d[0];
                const ix = ox * c.s[1] - pl + kx * c.d[1];
                if (iy >= 0 && iy < h && ix >= 0 && ix < wd)
                  acc += xs[i]![iy]![ix]![ch]! * ws[ky]![kx]![ch]![o]!;
              }
          out.push(acc);
        }
  return np.array(out, { dtype: "float64", shape: [n, oh, ow, f] });
}

const opts = (c: Config) => ({ strides: c.s, padding: c.padding, dilationRate: c.d });

function expectClose(a: np.NDArray, b: np.NDArray, tol = 1e-12): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(Number(x[i]) - Number(y[i])));
  expect(worst).toBeLessThanOrEqual(tol);
}

const grid: Config[] = [];
for (const s of [1, 2])
  for (const padding of ["same", "valid"] as const)
    for (const d of [1, 2])
      for (const k of [1, 2, 3]) grid.push({ k: [k, k], s: [s, s], d: [d, d], padding });
const name = (c: Config) => `k=${c.k.join("×")} s=${c.s.join("×")} d=${c.d.join("×")} ${c.padding}`;

describe("output shapes and padding follow TensorFlow", () => {
  it.each([
    // [in, k, stride, dilation, padding, out, padBefore, padAfter]
    [28, 3, 1, 1, "same", 28, 1, 1],
    [28, 3, 2, 1, "same", 14, 0, 1], // the extra padding goes after (bottom/right)
    [5, 3, 2, 1, "same", 3, 1, 1],
    [6, 3, 2, 1, "same", 3, 0, 1],
    [7, 2, 1, 1, "same", 7, 0, 1], // even kernel: extra padding after
    [7, 3, 1, 2, "same", 7, 2, 2], // dilated span 5
    [5, 1, 3, 1, "same", 2, 0, 0],
    [28, 3, 1, 1, "valid", 26, 0, 0],
    [28, 3, 2, 1, "valid", 13, 0, 0],
    [7, 3, 1, 2, "valid", 3, 0, 0],
    [8, 3, 3, 1, "valid", 2, 0, 0],
  ] as const)("in %i, k %i, stride %i, dilation %i, %s → %i (pad %i, %i)", (size, k, s, d, p, out, b, a) => {
    expect(axisGeometry(size, k, s, d, p)).toEqual({ out, before: b, after: a });
    expect(tfAxis(size, k, s, d, p)).toEqual([out, b]);
  });

  it("gives conv2d outputs of those shapes", () => {
    const x = np.zeros([2, 9, 6, 3]);
    for (const c of grid) {
      const w = np.zeros([...c.k, 3, 4]);
      const [oh] = tfAxis(9, c.k[0], c.s[0], c.d[0], c.padding);
      const [ow] = tfAxis(6, c.k[1], c.s[1], c.d[1], c.padding);
      expect(conv2d(x, w, opts(c)).shape, name(c)).toEqual([2, oh, ow, 4]);
    }
  });
});

describe("conv2d forward matches direct loops", () => {
  const rng = new np.Random(7);
  for (const cin of [1, 3]) {
    it(`every stride 1–2, padding, dilation 1–2 and kernel 1–3, with ${cin} input channel(s)`, () => {
      const x = rng.normal([2, 7, 6, cin], 0, 1, "float64");
      for (const c of grid) {
        const w = rng.normal([...c.k, cin, 2], 0, 1, "float64");
        const b = rng.normal([2], 0, 1, "float64");
        expectClose(conv2d(x, w, { ...opts(c), bias: b }), referenceConv(x, w, b, c));
      }
    });
  }

  it("non-square kernels, strides and dilations", () => {
    const x = rng.normal([2, 8, 9, 2], 0, 1, "float64");
    const configs: Config[] = [
      { k: [2, 3], s: [1, 2], d: [1, 1], padding: "same" },
      { k: [3, 1], s: [2, 1], d: [2, 1], padding: "valid" },
      { k: [1, 3], s: [2, 2], d: [1, 2], padding: "same" },
    ];
    for (const c of configs) {
      const w = rng.normal([...c.k, 2, 3], 0, 1, "float64");
      expectClose(conv2d(x, w, opts(c)), referenceConv(x, w, null, c));
    }
  });

  it("float32 inputs, strided views and the 1×1 fast path", () => {
    const base = rng.normal([2, 3, 5, 4], 0, 1, "float32");
    const x = np.permute(base, [0, 2, 1, 3]); // [2, 5, 3, 4], not contiguous
    const w = rng.normal([1, 1, 4, 3], 0, 1, "float32");
    const c: Config = { k: [1, 1], s: [1, 1], d: [1, 1], padding: "same" };
    const y = conv2d(x, w);
    expect(y.dtype).toBe("float32");
    expectClose(
      np.cast(y, "float64"),
      referenceConv(np.cast(x, "float64"), np.cast(w, "float64"), null, c),
      1e-5,
    );
    const w3 = rng.normal([3, 3, 4, 2], 0, 1, "float32");
    const c3: Config = { k: [3, 3], s: [2, 1], d: [1, 1], padding: "same" };
    expectClose(
      np.cast(conv2d(x, w3, opts(c3)), "float64"),
      referenceConv(np.cast(x, "float64"), np.cast(w3, "float64"), null, c3),
      1e-5,
    );
  });

  it("names the op and the shapes in errors", () => {
    const x = np.zeros([2, 5, 5, 3]);
    expect(() => conv2d(np.zeros([5, 5, 3]), np.zeros([3, 3, 3, 1]))).toThrow(
      /conv2d: expected an NHWC input \[N, H, W, C\] \(4-D\), got shape \[5, 5, 3\]/,
    );
    expect(() => conv2d(x, np.zeros([3, 3, 2, 1]))).toThrow(
      /conv2d: input shape \[2, 5, 5, 3\] has 3 channels .* kernel \[3, 3, 2, 1\] expects 2/,
    );
    expect(() => conv2d(x, np.zeros([3, 3, 3]))).toThrow(
      /conv2d: expected a kernel \[kh, kw, inChannels, filters\]/,
    );
    expect(() => conv2d(x, np.zeros([3, 3, 3, 4]), { bias: np.zeros([3]) })).toThrow(
      /bias of shape \[4\], got \[3\]/,
    );
    expect(() => conv2d(x, np.zeros([3, 3, 3, 1]), { dilationRate: 3 })).toThrow(
      /conv2d: input shape \[2, 5, 5, 3\] is smaller than the 3×3 window \(dilated to 7×7\) with padding "valid"/,
    );
    expect(() => conv2d(x, np.zeros([3, 3, 3, 1]), { strides: 0 })).toThrow(
      /strides must be a positive integer/,
    );
    expect(() => conv2d(x, np.zeros([3, 3, 3, 1]), { padding: "full" as Padding })).toThrow(
      /padding must be/,
    );
  });
});

describe("conv2d gradients", () => {
  const rng = new np.Random(11);
  const gradGrid = grid.filter((c) => c.k[0] >= 2);
  it.each(gradGrid.map((c) => [name(c), c] as const))(
    "checkGrads order 1 in float64 for the input, the kernel and the bias: %s",
    (_, c) => {
      const x = rng.normal([2, 5, 6, 2], 0, 1, "float64");
      const w = rng.normal([...c.k, 2, 2], 0, 1, "float64");
      const b = rng.normal([2], 0, 1, "float64");
      checkGrads((xi, wi, bi) => conv2d(xi!, wi!, { ...opts(c), bias: bi! }), [x, w, b], { order: 1 });
    },
  );

  it("checkGrads for 1×1 kernels and non-square configurations", () => {
    for (const c of [
      { k: [1, 1], s: [1, 1], d: [1, 1], padding: "same" },
      { k: [1, 1], s: [2, 2], d: [1, 1], padding: "valid" },
      { k: [2, 3], s: [2, 1], d: [1, 2], padding: "same" },
    ] as Config[]) {
      const x = rng.normal([2, 5, 5, 3], 0, 1, "float64");
      const w = rng.normal([...c.k, 3, 2], 0, 1, "float64");
      checkGrads((xi, wi) => conv2d(xi!, wi!, opts(c)), [x, w], { order: 1 });
    }
  });

  it("second order: im2col and col2im are each other's gradient", () => {
    const c: Config = { k: [2, 2], s: [2, 1], d: [1, 1], padding: "same" };
    const x = rng.normal([1, 4, 3, 2], 0, 1, "float64");
    const w = rng.normal([2, 2, 2, 2], 0, 1, "float64");
    checkGrads((xi, wi) => np.tanh(conv2d(xi!, wi!, opts(c))), [x, w], { order: 2 });
  });
});

describe("im2col and col2im", () => {
  const rng = new np.Random(3);
  it("are adjoint: ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩ for every configuration", () => {
    for (const c of grid) {
      const x = rng.normal([2, 6, 5, 3], 0, 1, "float64");
      const g = windowGeometry(
        x.shape,
        { kernelSize: c.k, strides: c.s, dilationRate: c.d, padding: c.padding },
        "t",
      );
      const cols = im2col([x], g);
      const y = rng.normal(cols.shape, 0, 1, "float64");
      const lhs = np.sum(np.mul(cols, y)).item();
      const rhs = np.sum(np.mul(x, col2im([y], g))).item();
      expect(Math.abs(lhs - rhs), name(c)).toBeLessThan(1e-10 * Math.max(1, Math.abs(lhs)));
    }
  });

  it("lays each window out as (ky, kx, c) with zeros for padding", () => {
    const x = np.arange(1, 10, 1, "float64").reshape([1, 3, 3, 1]);
    const g = windowGeometry(x.shape, { kernelSize: 2, padding: "same", strides: 2 }, "t");
    // out 2×2, padding (0, 1): the last row and column of windows hang over the bottom/right edge.
    expect(im2col([x], g).toArray()).toEqual([
      [
        [
          [1, 2, 4, 5],
          [3, 0, 6, 0],
        ],
        [
          [7, 8, 0, 0],
          [9, 0, 0, 0],
        ],
      ],
    ]);
  });

  it("reject columns and inputs of the wrong shape by name", () => {
    const g = windowGeometry([1, 3, 3, 1], { kernelSize: 2 }, "t");
    expect(() => im2col([np.zeros([1, 4, 3, 1])], g)).toThrow(
      /im2col: expected an NHWC input of shape \[N, 3, 3, 1\]/,
    );
    expect(() => col2im([np.zeros([1, 2, 2, 3])], g)).toThrow(
      /col2im: expected columns of shape \[N, 2, 2, 4\]/,
    );
  });
});
