import { GradientTape, noGrad, Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { heatmap2d, sampleGrid, save } from "@chainrule/plot/node";
import { ScalarLog, secondsSince, writeJsonAtomic } from "@chainrule/app-kit";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

/** f(x, y) = (x² + y − 11)² + (x + y² − 7)², written with array ops so the tape can differentiate it. */
export function himmelblau(x: np.NDArray, y: np.NDArray): np.NDArray {
  return x
    .mul(x)
    .add(y)
    .sub(11)
    .square()
    .add(x.add(y.mul(y)).sub(7).square());
}

/** The four minima, where f = 0. */
export const MINIMA: readonly [number, number][] = [
  [3, 2],
  [-2.805118, 3.131312],
  [-3.77931, -3.283186],
  [3.584428, -1.848126],
];

/** One start in each minimum's basin for plain gradient descent at lr 0.01. */
export const STARTS: readonly [number, number][] = [
  [0, 0],
  [-2, 2],
  [-4, 0],
  [4, 0],
];

export interface Options {
  steps: number;
  lr: number;
  out: string;
  seed: number;
  /** Jitter added to the starting points (0 reproduces the textbook starts exactly). */
  jitter: number;
  printEvery: number;
  log: (line: string) => void;
  /** float64 by default; float32 on a device backend (WebGPU has no float64). */
  dtype?: "float32" | "float64";
}

export interface Trajectory {
  start: [number, number];
  xs: number[];
  ys: number[];
  fs: number[];
  end: [number, number];
  nearestMinimum: [number, number];
  distance: number;
}

/**
 * Runs gradient descent with a GradientTape from one start. Every point is recorded; on a device backend
 * (WebGPU) the points stay on the device and are read every `printEvery` steps, not at each step.
 */
export async function descend(
  start: [number, number],
  opts: Pick<Options, "steps" | "lr" | "printEvery" | "log" | "dtype">,
): Promise<Trajectory> {
  const dtype = opts.dtype ?? (np.getBackend().device ? "float32" : "float64");
  const x = new Variable(np.array(start[0], { dtype }), { name: "x" });
  const y = new Variable(np.array(start[1], { dtype }), { name: "y" });
  const logs = [new ScalarLog(), new ScalarLog(), new ScalarLog()] as const;
  const xs: number[] = [];
  const ys: number[] = [];
  const fs: number[] = [];
  const record = () => [x, y, himmelblau(x, y)].forEach((v, k) => logs[k]!.push(v));
  const readBack = async () => {
    for (const [k, values] of [xs, ys, fs].entries()) values.push(...(await logs[k]!.take()));
  };
  record();
  for (let step = 1; step <= opts.steps; step++) {
    const tape = new GradientTape();
    const f = tape.record(() => himmelblau(x, y));
    const [gx, gy] = tape.gradient(f, [x, y]);
    noGrad(() => {
      x.assignSub(gx!.mul(opts.lr));
      y.assignSub(gy!.mul(opts.lr));
    });
    record();
    if (step % opts.printEvery === 0) {
      await readBack();
      opts.log(
        `step ${String(step).padStart(4)}: x = [${xs[step]!.toFixed(6)}, ${ys[step]!.toFixed(6)}], f(x) = ${fs[step]!.toExponential(4)}`,
      );
    }
  }
  await readBack();
  const end: [number, number] = [xs.at(-1)!, ys.at(-1)!];
  const dist = (m: readonly [number, number]) => Math.hypot(end[0] - m[0], end[1] - m[1]);
  const nearest = [...MINIMA].sort((a, b) => dist(a) - dist(b))[0]!;
  return { start, xs, ys, fs, end, nearestMinimum: [nearest[0], nearest[1]], distance: dist(nearest) };
}

export interface Metrics {
  app: "himmelblau";
  seed: number;
  steps: number;
  lr: number;
  dtype: "float32" | "float64";
  trajectories: {
    start: [number, number];
    end: [number, number];
    minimum: [number, number];
    distance: number;
    f: number;
  }[];
  minimaReached: number;
  allWithin1e3: boolean;
  wallTimeSeconds: number;
}

export async function run(opts: Options): Promise<Metrics> {
  const t0 = performance.now();
  const rng = new np.Random(opts.seed);
  const trajectories: Trajectory[] = [];
  for (const [i, s] of STARTS.entries()) {
    const start: [number, number] = [
      s[0] + opts.jitter * (2 * rng.random() - 1),
      s[1] + opts.jitter * (2 * rng.random() - 1),
    ];
    opts.log(`trajectory ${i + 1} from (${start[0].toFixed(3)}, ${start[1].toFixed(3)}):`);
    const t = await descend(start, opts);
    opts.log(
      `  → (${t.end[0].toFixed(4)}, ${t.end[1].toFixed(4)}), ${t.distance.toExponential(2)} from the minimum (${t.nearestMinimum.join(", ")})`,
    );
    trajectories.push(t);
  }
  const reached = new Set(
    trajectories.filter((t) => t.distance < 1e-3).map((t) => t.nearestMinimum.join(",")),
  );

  mkdirSync(opts.out, { recursive: true });
  const grid = sampleGrid((x, y) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2, {
    x: [-6, 6],
    y: [-6, 6],
    n: 90,
  });
  const chart = heatmap2d({
    grid,
    title: `Himmelblau's function: gradient descent, lr ${opts.lr}, ${opts.steps} steps`,
    xLabel: "x",
    yLabel: "y",
    valueLabel: "f(x, y)",
    logColor: true,
    paths: trajectories.map((t, i) => ({
      name: `from (${t.start.map((v) => +v.toFixed(2)).join(", ")})`,
      x: t.xs,
      y: t.ys,
    })),
    markers: MINIMA.map(([x, y]) => ({ x, y, label: `(${x.toFixed(2)}, ${y.toFixed(2)})` })),
  });
  await save(chart, join(opts.out, "himmelblau"));

  const metrics: Metrics = {
    app: "himmelblau",
    seed: opts.seed,
    steps: opts.steps,
    lr: opts.lr,
    dtype: opts.dtype ?? (np.getBackend().device ? "float32" : "float64"),
    trajectories: trajectories.map((t) => ({
      start: t.start,
      end: t.end,
      minimum: t.nearestMinimum,
      distance: t.distance,
      f: t.fs[t.fs.length - 1]!,
    })),
    minimaReached: reached.size,
    allWithin1e3: trajectories.every((t) => t.distance < 1e-3),
    wallTimeSeconds: secondsSince(t0),
  };
  writeJsonAtomic(join(opts.out, "metrics.json"), metrics);
  return metrics;
}
