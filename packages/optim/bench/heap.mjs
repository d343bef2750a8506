// Heap stays flat over 10,000 Adam steps on a small MLP (acceptance check, not a timed test).
// Against the built packages (`pnpm --filter @chainrule/optim... build` first):
//   node --expose-gc packages/optim/bench/heap.mjs [steps]
// Against the TypeScript sources, no build:
//   node --expose-gc --conditions=@chainrule/source --import tsx packages/optim/bench/heap.mjs [steps]
//   (run from packages/optim, where tsx is installed)
// It samples heapUsed after a full GC every 1,000 steps and passes when the last sample is within 10% of
// the one at step 1,000 (by then every lazily created structure exists).
import { GradientTape, Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { Adam } from "@chainrule/optim";

if (typeof globalThis.gc !== "function") {
  console.error("heap.mjs: run node with --expose-gc");
  process.exit(2);
}
const steps = Number(process.argv[2] ?? 10_000);
const every = 1_000;

const rng = new np.Random(0);
const X = rng.normal([64, 2], 0, 1, "float64");
const Y = np.sin(np.sum(X, 1, true)); // a smooth target
const layer = (n, m, name) => [
  new Variable(rng.normal([n, m], 0, 1 / Math.sqrt(n), "float64"), { name: `${name}.W` }),
  new Variable(np.zeros([m], "float64"), { name: `${name}.b` }),
];
const params = [...layer(2, 16, "l1"), ...layer(16, 16, "l2"), ...layer(16, 1, "out")];
const [W1, b1, W2, b2, W3, b3] = params;
const opt = new Adam(params, { lr: 1e-2 });

// The loop written by hand with a tape, as the seeds do (minimize() does the same).
function trainStep() {
  const tape = new GradientTape();
  const loss = tape.record(() => {
    const h1 = np.tanh(np.matmul(X, W1).add(b1));
    const h2 = np.tanh(np.matmul(h1, W2).add(b2));
    return np.mean(np.square(np.matmul(h2, W3).add(b3).sub(Y)));
  });
  opt.step(tape.gradient(loss, params));
  return loss.item();
}

const heap = () => {
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};
const mb = (b) => (b / 2 ** 20).toFixed(2) + " MB";
const samples = new Map();
const t0 = performance.now();
let loss = NaN;
for (let s = 1; s <= steps; s++) {
  loss = trainStep();
  if (s % every === 0) {
    samples.set(s, heap());
    console.log(
      `step ${String(s).padStart(6)}  loss ${loss.toExponential(3)}  heapUsed ${mb(samples.get(s))}`,
    );
  }
}
const ms = performance.now() - t0;
const base = samples.get(every);
const last = samples.get(steps - (steps % every));
const ratio = last / base;
console.log(
  `heapUsed at step ${every}: ${mb(base)}, at step ${steps}: ${mb(last)}, ratio ${ratio.toFixed(4)} ` +
    `(${(ms / steps).toFixed(3)} ms/step)`,
);
if (!(ratio <= 1.1)) {
  console.error("FAIL: the heap grew by more than 10%");
  process.exit(1);
}
console.log("PASS: the heap stayed within 10%");
