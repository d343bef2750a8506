// The dual-package hazard, in real Node processes on the built packages (dist/): `import` and `require`
// must share one copy, and an array or Variable of a genuinely different copy must be reported as exactly that.
import { beforeAll, describe, expect, it } from "vitest";
import {
  copiesPattern,
  ensureBuilt,
  esmBuild,
  reportError,
  runNode,
} from "../../ndarray/src/testing/two-copies";

const node = (program: string) => runNode("autograd", program);

beforeAll(() => ensureBuilt(["autograd"]), 300_000);

describe("import and require in one Node process", () => {
  it("share one copy: a backend set through require is the one import sees", () => {
    const out = node(`
      const cjs = require("@chainrule/ndarray");
      const probe = { name: "probe", kernels: {} };
      cjs.setBackend(probe);
      const esm = await import("@chainrule/ndarray");
      const sum = esm.array([1, 2, 3]).add(1).dataSync().join(",");
      console.log(esm.getBackend() === probe, esm.NDArray === cjs.NDArray, sum);
    `);
    expect(out).toBe("true true 2,3,4");
  });
  it("a tape from require differentiates arrays made with import", () => {
    const out = node(`
      const { GradientTape } = require("@chainrule/autograd");
      const np = await import("@chainrule/ndarray");
      const esmAutograd = await import("@chainrule/autograd");
      const x = np.array(3, { dtype: "float64" });
      const tape = new GradientTape();
      const y = tape.record(() => { tape.watch(x); return x.mul(x); });
      console.log(tape.gradient(y, x).item(), esmAutograd.GradientTape === GradientTape);
    `);
    expect(out).toBe("6 true");
  });
});

describe("an array of another copy (the ESM build loaded beside the CJS one, as a second install would be)", () => {
  const report = (body: string) =>
    node(`const other = await import(${esmBuild("ndarray")});
      const { GradientTape } = require("@chainrule/autograd");
      const np = require("@chainrule/ndarray");
      ${reportError(body)}`);
  const copies = copiesPattern("@chainrule/ndarray");

  it("GradientTape.watch names both copies and the fix (not 'expected NDArrays, got 3')", () => {
    const out = report(`new GradientTape().watch(other.array(3))`);
    expect(out).toMatch(/^TypeError: GradientTape\.watch: got an NDArray from /);
    expect(out).toMatch(copies);
  });
  it("an op of one copy on an array of the other says so, naming the op", () => {
    const out = report(`np.add(other.array([1, 2]), 1)`);
    expect(out).toMatch(/^TypeError: add: got an NDArray from /);
    expect(out).toMatch(copies);
  });
  it("a tape cannot silently record nothing: the foreign copy's ops reject its arrays", () => {
    const out = report(`const x = np.array(3, { dtype: "float64" }); const t = new GradientTape();
      t.record(() => { t.watch(x); return other.mul(x, x); })`);
    expect(out).toMatch(/^TypeError: mul: got an NDArray from /);
    expect(out).toMatch(copiesPattern("@chainrule/ndarray", "cjs", "esm"));
  });
});

describe("a Variable of another copy of @chainrule/autograd", () => {
  const report = (body: string) =>
    node(`const other = await import(${esmBuild("autograd")});
      const { GradientTape, Variable } = require("@chainrule/autograd");
      ${reportError(body)}`);

  it("is the one copy's Variable under both import and require", () => {
    const out = node(`const esm = await import("@chainrule/autograd");
      console.log(esm.Variable === require("@chainrule/autograd").Variable)`);
    expect(out).toBe("true");
  });
  it("is not silently left unwatched by a tape (it would get no gradient)", () => {
    const out = report(`const v = new other.Variable(3, { dtype: "float64" });
      const t = new GradientTape(); t.record(() => v.mul(v))`);
    expect(out).toMatch(/^TypeError: GradientTape \(recording mul\): got a Variable from /);
    expect(out).toMatch(copiesPattern("@chainrule/autograd"));
  });
  it("while this copy's Variables are watched as before", () => {
    const out = report(`const v = new Variable(3, { dtype: "float64" });
      const t = new GradientTape(); const y = t.record(() => v.mul(v)); console.log(t.gradient(y, v).item())`);
    expect(out).toBe("6\nno error");
  });
});
