import { GradientTape, noGrad } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { Dense, Sequential, binaryAccuracy, binaryCrossEntropyWithLogits } from "./index";
import { XOR_X, XOR_Y, trainXor, weightBits } from "./testing/xor";

describe("acceptance: XOR", () => {
  it("a 2-layer MLP learns XOR to 100% accuracy with plain SGD and a fixed seed", () => {
    const x = np.array(XOR_X);
    const y = np.array(XOR_Y.map((v) => [v]));
    const model = new Sequential([new Dense(8, { inputDim: 2, activation: "tanh" }), new Dense(1)], {
      seed: 7,
    });
    model.build([2]);
    const params = model.parameters();
    expect(params).toHaveLength(4);
    const lr = 0.5;
    let first = NaN;
    let last = NaN;
    for (let step = 0; step < 500; step++) {
      const tape = new GradientTape();
      const loss = tape.record(() => binaryCrossEntropyWithLogits(model.call(x), y));
      const grads = tape.gradient(loss, params) as np.NDArray[];
      noGrad(() => params.forEach((w, i) => w.assign(w.sub(grads[i]!.mul(lr)))));
      if (step === 0) first = loss.item();
      last = loss.item();
    }
    const logits = noGrad(() => model.eval().call(x));
    expect(binaryAccuracy(logits, XOR_Y, 0)).toBe(1);
    expect(first).toBeGreaterThan(0.5); // about log 2 at the start
    expect(last).toBeLessThan(0.05);
  });

  it("the same seed gives bit-identical weights after N steps, in this process and in two child processes", async () => {
    const seed = 42;
    const steps = 150;
    const here = weightBits(trainXor(seed, steps).model);
    expect(weightBits(trainXor(seed, steps).model)).toBe(here);
    expect(weightBits(trainXor(seed + 1, steps).model)).not.toBe(here);

    const cli = fileURLToPath(new URL("./testing/xor-cli.ts", import.meta.url));
    const cwd = fileURLToPath(new URL("..", import.meta.url)); // packages/nn, where tsx is installed
    const run = () =>
      promisify(execFile)(
        process.execPath,
        ["--conditions=@chainrule/source", "--import", "tsx", cli, String(seed), String(steps)],
        { cwd, timeout: 60_000 },
      ).then((r) => r.stdout.trim());
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.split("\n").map((l) => l.split(":")[0])).toEqual([
      "layers.0.kernel",
      "layers.0.bias",
      "layers.1.kernel",
      "layers.1.bias",
    ]);
    expect(a).toBe(b);
    expect(a).toBe(here);
  });
});
