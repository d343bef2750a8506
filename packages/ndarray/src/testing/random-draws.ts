/**
 * A fixed recipe of random draws as plain JSON. The random tests run it in-process and in a child
 * `node` process (through tsx) and compare: the same seed must give the same numbers everywhere.
 */
import type { Random } from "../random";

export function draws(R: typeof Random) {
  const r = new R(1234);
  const f = r.fork();
  return {
    random: [r.random(), r.random()],
    uniform: Array.from(r.uniform([5], -2, 3, "float64").dataSync()),
    uniform32: Array.from(r.uniform([3]).dataSync()),
    normal: Array.from(r.normal([5], 1, 2, "float64").dataSync()),
    randint: Array.from(r.randint(-5, 5, [8]).dataSync()),
    permutation: Array.from(r.permutation(10)),
    shuffle: r.shuffle(["a", "b", "c", "d", "e"]),
    bernoulli: Array.from(r.bernoulli(0.3, [10]).dataSync()),
    fork: Array.from(f.uniform([3], 0, 1, "float64").dataSync()),
    stringSeed: new R("chainrule").random(),
  };
}
