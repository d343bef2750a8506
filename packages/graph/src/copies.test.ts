// Placeholders and optimizers of another copy of @chainrule/graph (its ESM build beside the CJS one, as a
// duplicated install would be) are reported as exactly that; import and require share one graph.
import { beforeAll, describe, expect, it } from "vitest";
import {
  copiesPattern,
  ensureBuilt,
  esmBuild,
  reportError,
  runNode,
} from "../../ndarray/src/testing/two-copies";

const node = (program: string) => runNode("graph", program);

beforeAll(() => ensureBuilt(["graph"]), 300_000);

const prelude = `const other = await import(${esmBuild("graph")});
  const g = require("@chainrule/graph"); const ag = require("@chainrule/autograd");
  const w = new ag.Variable([1, 2], { dtype: "float32" });`;

describe("two copies and @chainrule/graph", () => {
  it("import and require load one copy: a placeholder of one is fed to a trace of the other", () => {
    const out = node(`const esm = await import("@chainrule/graph"); const cjs = require("@chainrule/graph");
      const np = require("@chainrule/ndarray");
      const f = cjs.trace((x) => x.mul(2), [esm.placeholder([2], "float32", "x")]);
      console.log(esm.Placeholder === cjs.Placeholder, f(np.array([1, 2])).dataSync().join(","))`);
    expect(out).toBe("true 2,4");
  });
  it("minimize with a GradientDescentOptimizer of another copy names both copies", () => {
    const out = node(`${prelude}
      ${reportError(`g.compileTrainStep({ loss: (x) => x.mul(w).sum(), inputs: [g.placeholder([2], "float32", "x")],
        optimizer: new other.GradientDescentOptimizer(0.1) })`)}`);
    expect(out).toMatch(/^TypeError: minimize: got a GradientDescentOptimizer from /);
    expect(out).toMatch(copiesPattern("@chainrule/graph"));
  });
  it("compileTrainStep with a placeholder of another copy names both copies", () => {
    const out = node(`${prelude}
      ${reportError(`g.compileTrainStep({ loss: (x) => x.mul(w).sum(), inputs: [other.placeholder([2], "float32", "x")],
        optimizer: new g.GradientDescentOptimizer(0.1) })`)}`);
    expect(out).toMatch(/^TypeError: compileTrainStep: inputs\[0\]: got a Placeholder from /);
    expect(out).toMatch(copiesPattern("@chainrule/graph"));
  });
  it("GradientDescentOptimizer.minimize with a Variable of another copy of autograd says so", () => {
    const out = node(`${prelude} const otherAg = await import(${esmBuild("autograd")});
      const v = new otherAg.Variable([1, 2], { dtype: "float32" });
      ${reportError(`g.compileTrainStep({ loss: (x) => x.mul(v).sum(), inputs: [g.placeholder([2], "float32", "x")],
        optimizer: new g.GradientDescentOptimizer(0.1), params: [v] })`)}`);
    expect(out).toMatch(/^TypeError: GradientDescentOptimizer\.minimize: varList\[0\]: got a Variable from /);
    expect(out).toMatch(copiesPattern("@chainrule/autograd"));
  });
});
