// Two copies of @chainrule/nn in one Node process, on the built packages: `import` and `require` share one,
// and a layer or model of a genuinely different copy is reported as exactly that, not "expected a Module".
import { beforeAll, describe, expect, it } from "vitest";
import {
  copiesPattern,
  ensureBuilt,
  esmBuild,
  reportError,
  runNode,
} from "../../ndarray/src/testing/two-copies";

const node = (program: string) => runNode("nn", program);

beforeAll(() => ensureBuilt(["nn"]), 300_000);

describe("import and require of @chainrule/nn", () => {
  it("load one copy, for the main entry and /node alike", () => {
    const out =
      node(`const esm = await import("@chainrule/nn"); const esmNode = await import("@chainrule/nn/node");
      const cjs = require("@chainrule/nn"); const cjsNode = require("@chainrule/nn/node");
      console.log(esm.Module === cjs.Module, esm.Dense === cjs.Dense, esmNode.saveSafetensorsFile === cjsNode.saveSafetensorsFile);`);
    expect(out).toBe("true true true");
  });
  it("so a layer made through import trains inside a model made through require", () => {
    const out = node(`const esm = await import("@chainrule/nn"); const cjs = require("@chainrule/nn");
      const m = new cjs.Sequential([new esm.Dense(2, { inputDim: 3 })]);
      console.log(m.parameters().length, m.countParams().total);`);
    expect(out).toBe("2 8");
  });
});

describe("a Module of another copy (the ESM build loaded beside the CJS one, as a second install would be)", () => {
  const report = (body: string) =>
    node(`const other = await import(${esmBuild("nn")});
      const nn = require("@chainrule/nn"); const ag = require("@chainrule/autograd");
      ${reportError(body)}`);

  it("Sequential names both copies and the fix (not 'expected a Module')", () => {
    const out = report(`new nn.Sequential([new other.Dense(2, { inputDim: 3 })])`);
    expect(out).toMatch(/^TypeError: Sequential\.add: got a Module from /);
    expect(out).toMatch(copiesPattern("@chainrule/nn"));
  });
  it("a submodule of another copy is not silently dropped from parameters()", () => {
    const out =
      report(`class Net extends nn.Module { constructor() { super(); this.head = new other.Dense(2, { inputDim: 3 }); }
        forward(x) { return this.head.call(x); } }
      new Net().parameters()`);
    expect(out).toMatch(/^TypeError: Net: property 'head': got a Module from /);
    expect(out).toMatch(copiesPattern("@chainrule/nn"));
  });
  it("nor is a Variable of another copy of @chainrule/autograd", () => {
    const out =
      node(`const otherAg = await import(${esmBuild("autograd")}); const nn = require("@chainrule/nn");
      class Net extends nn.Module { constructor() { super(); this.w = new otherAg.Variable([1, 2]); }
        forward(x) { return x.mul(this.w); } }
      ${reportError("new Net().parameters()")}`);
    expect(out).toMatch(/^TypeError: Net: property 'w': got a Variable from /);
    expect(out).toMatch(copiesPattern("@chainrule/autograd"));
  });
  it("while this copy's layers are found as before", () => {
    const out = report(
      `const m = new nn.Sequential([new nn.Dense(2, { inputDim: 3 })]); console.log(m.parameters().length)`,
    );
    expect(out).toBe("2\nno error");
  });
});
