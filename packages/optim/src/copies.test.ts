// Parameters of another copy of @chainrule/autograd (a duplicated install, or its ESM build beside the CJS one)
// are reported as exactly that by every optimizer, and import and require share one optim.
import { beforeAll, describe, expect, it } from "vitest";
import {
  copiesPattern,
  ensureBuilt,
  esmBuild,
  reportError,
  runNode,
} from "../../ndarray/src/testing/two-copies";

const node = (program: string) => runNode("optim", program);

beforeAll(() => ensureBuilt(["optim"]), 300_000);

describe("two copies and @chainrule/optim", () => {
  it("import and require load one copy", () => {
    const out = node(`const esm = await import("@chainrule/optim"); const cjs = require("@chainrule/optim");
      console.log(esm.Adam === cjs.Adam, esm.SGD === cjs.SGD)`);
    expect(out).toBe("true true");
  });
  it("an optimizer made through import steps Variables made through require", () => {
    const out =
      node(`const { SGD } = await import("@chainrule/optim"); const ag = require("@chainrule/autograd");
      const v = new ag.Variable([1, 2], { dtype: "float64" });
      new SGD([v], { lr: 0.5 }).minimize(() => v.mul(v).sum());
      console.log(v.dataSync().join(","))`);
    // d/dv sum(v²) = 2v, so v - 0.5·2v = 0.
    expect(out).toBe("0,0");
  });
  it("a Variable of another copy names both copies and the fix (not 'is not a Variable')", () => {
    const out =
      node(`const otherAg = await import(${esmBuild("autograd")}); const { Adam } = require("@chainrule/optim");
      ${reportError("new Adam([new otherAg.Variable([1, 2])], { lr: 0.1 })")}`);
    expect(out).toMatch(/^TypeError: Adam: parameter #0: got a Variable from /);
    expect(out).toMatch(copiesPattern("@chainrule/autograd"));
  });
});
