// Under Node, `import` and `require` of a layer package load one copy, built on the one copy of
// @chainrule/nn: a layer from either goes into a model from either (a foreign nn copy: nn's copies.test.ts).
import { beforeAll, expect, it } from "vitest";
import { ensureBuilt, runNode } from "../../ndarray/src/testing/two-copies";

beforeAll(() => ensureBuilt(["layer-attention"]), 300_000);

it("an Embedding made through import is a parameter of a Sequential made through require", () => {
  const out = runNode(
    "layer-attention",
    `const esm = await import("@chainrule/layer-attention"); const nn = require("@chainrule/nn");
    const m = new nn.Sequential([new esm.Embedding(10, 4)]);
    console.log(esm.Embedding === require("@chainrule/layer-attention").Embedding, m.parameters().length, m.countParams().total);`,
  );
  expect(out).toBe("true 1 40");
});
