// XOR with a 2-layer MLP and a hand-written SGD loop: shared by xor.test.ts and the child processes it
// spawns (xor-cli.ts) to check that a seed gives bit-identical weights in separate processes.
import { GradientTape, noGrad } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { Dense, Sequential, binaryCrossEntropyWithLogits } from "../index";

export const XOR_X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
export const XOR_Y = [0, 1, 1, 0];

export function trainXor(seed: number, steps: number, lr = 0.5) {
  const x = np.array(XOR_X);
  const y = np.array(XOR_Y.map((v) => [v]));
  const model = new Sequential(
    [new Dense(8, { inputDim: 2, activation: "tanh" }), new Dense(1, { inputDim: 8 })],
    {
      seed,
    },
  );
  const params = model.parameters();
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const tape = new GradientTape();
    const loss = tape.record(() => binaryCrossEntropyWithLogits(model.call(x), y));
    const grads = tape.gradient(loss, params) as np.NDArray[];
    noGrad(() => params.forEach((w, i) => w.assign(w.sub(grads[i]!.mul(lr)))));
    losses.push(loss.item());
  }
  return { model, losses };
}

/** The exact bits of every weight, as hex (float32 little-endian bytes via their Uint8 view). */
export function weightBits(model: Sequential): string {
  return model
    .namedVariables()
    .map(([name, v]) => {
      const d = v.dataSync();
      const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      return `${name}:${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    })
    .join("\n");
}
