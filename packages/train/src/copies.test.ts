// Under Node, `import` and `require` of @chainrule/train load one copy, and fit drives an optimizer and
// Variables loaded the other way (the copies of autograd and optim are shared too).
import { beforeAll, expect, it } from "vitest";
import { ensureBuilt, runNode } from "../../ndarray/src/testing/two-copies";

beforeAll(() => ensureBuilt(["train"]), 300_000);

it("fit through import trains Variables and an optimizer made through require", () => {
  const out = runNode(
    "train",
    `const { fit } = await import("@chainrule/train"); const ag = require("@chainrule/autograd");
    const { SGD } = require("@chainrule/optim");
    const v = new ag.Variable([4], { dtype: "float64" });
    const history = await fit({ epochs: 1, data: [0, 1], optimizer: new SGD([v], { lr: 0.25 }),
      loss: () => v.mul(v).sum(), progress: "none" });
    console.log(fit === require("@chainrule/train").fit, v.dataSync()[0], history.loss.length);`,
  );
  // Two steps of v ← v − 0.25·2v = v/2: 4 → 2 → 1.
  expect(out).toBe("true 1 1");
});
