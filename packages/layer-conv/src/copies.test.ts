// Under Node, `import` and `require` of a layer package load one copy, built on the one copy of
// @chainrule/nn: a layer from either goes into a model from either (a foreign nn copy: nn's copies.test.ts).
import { beforeAll, expect, it } from "vitest";
import { ensureBuilt, runNode } from "../../ndarray/src/testing/two-copies";

beforeAll(() => ensureBuilt(["layer-conv"]), 300_000);

it("a Conv2D made through import trains inside a Sequential made through require", () => {
  const out = runNode(
    "layer-conv",
    `const esm = await import("@chainrule/layer-conv"); const nn = require("@chainrule/nn");
    const m = new nn.Sequential([new esm.Conv2D(4, 3, { inputShape: [8, 8, 1] })]);
    console.log(esm.Conv2D === require("@chainrule/layer-conv").Conv2D, m.parameters().length, m.countParams().total);`,
  );
  // 3·3·1·4 kernel weights + 4 biases.
  expect(out).toBe("true 2 40");
});
