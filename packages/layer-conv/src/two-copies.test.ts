import { checkGrads, GradientTape } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { Flatten, Module, Sequential } from "@chainrule/nn";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ours from "./index";

// A second copy of this package's source in its own directory, as when two libraries on one page each bundle
// their own @chainrule/layer-conv: it defines its own im2col, col2im and max-pool primitives with the same
// names. With no registry nothing collides, and both copies work in one tape and one model.
const pkgDir = fileURLToPath(new URL("..", import.meta.url));
let dir = "";
let theirs: typeof ours;

beforeAll(async () => {
  dir = mkdtempSync(join(pkgDir, ".two-copies-"));
  cpSync(join(pkgDir, "src"), dir, { recursive: true, filter: (f) => !f.endsWith(".test.ts") });
  theirs = (await import(/* @vite-ignore */ join(dir, "index.ts"))) as typeof ours;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("two copies of the package", () => {
  it("define distinct primitive objects under the same names", () => {
    expect(theirs.im2col).not.toBe(ours.im2col);
    expect(theirs.im2col.primitive).not.toBe(ours.im2col.primitive);
    expect(theirs.im2col.primitive.name).toBe(ours.im2col.primitive.name);
    expect(theirs.Conv2D).not.toBe(ours.Conv2D);
    expect(new theirs.Conv2D(1, 1)).toBeInstanceOf(Module); // both build on the one @chainrule/nn
  });

  it("work together in one tape, each gradient rule from its own copy", () => {
    const rng = new np.Random(4);
    const x = rng.normal([2, 6, 6, 2], 0, 1, "float64");
    const w1 = rng.normal([3, 3, 2, 3], 0, 1, "float64");
    const w2 = rng.normal([2, 2, 3, 2], 0, 1, "float64");
    const f = (xi: np.NDArray, a: np.NDArray, b: np.NDArray) =>
      theirs.avgPool2d(
        ours.conv2d(theirs.maxPool2d(theirs.conv2d(xi, a, { padding: "same" }), { strides: 1 }), b, {
          strides: 2,
        }),
        { poolSize: 1 },
      );
    const tape = new GradientTape();
    tape.record(() => {
      tape.watch(x, w1, w2);
      return np.sum(f(x, w1, w2));
    });
    const recorded = tape.toString();
    expect(recorded.match(/im2col/g)?.length).toBe(2);
    expect(recorded).toMatch(/maxPoolGather/);
    checkGrads(f, [x, w1, w2], { order: 1 });
  });

  it("mix in one model", () => {
    const model = new Sequential(
      [
        new ours.Conv2D(4, 3, { padding: "same" }),
        new theirs.MaxPool2D(2),
        new theirs.Conv2D(2, 3),
        new Flatten(),
      ],
      { seed: 0 },
    );
    const x = new np.Random(1).normal([2, 8, 8, 1]);
    const tape = new GradientTape();
    const loss = tape.record(() => np.sum(np.square(model.call(x))));
    const grads = tape.gradient(loss, model.parameters()) as (np.NDArray | null)[];
    expect(grads.map((g) => g?.shape)).toEqual([[3, 3, 1, 4], [4], [3, 3, 4, 2], [2]]);
  });
});
