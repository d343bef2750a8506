// Time per kernel of one eager Fashion-MNIST CNN Adam step (layer-conv's fashionCnn, batch 100) on webgpu,
// on the built packages:
//   pnpm --filter "@chainrule/backend-webgpu..." build && node packages/backend-webgpu/bench/profile-cnn.mjs
// One step runs through a backend whose kernels record each call (kernel, inputs, params); each recorded
// call is then replayed alone and timed to the end of its GPU work (a one-element read after it, minus the
// cost of such a read with nothing queued). Prints one line per kernel and shape, and the totals per kernel.
import * as np from "@chainrule/ndarray";
import * as nn from "@chainrule/nn";
import * as optim from "@chainrule/optim";
import * as conv from "@chainrule/layer-conv";
import { createWebGpuBackend } from "@chainrule/backend-webgpu";

process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";
const BATCH = 100;
const REPEATS = Number(process.env.PROFILE_REPEATS ?? 1);

const base = await createWebGpuBackend({
  conv: {
    im2col: conv.im2col,
    col2im: conv.col2im,
    maxPoolGather: conv.maxPoolGather,
    maxPoolScatter: conv.maxPoolScatter,
    biasRelu: conv.biasRelu,
  },
});

let calls = [];
const recording = (name, kernel) => (inputs, params, out) => {
  calls.push({ name, kernel, inputs, params, shape: out.shape, dtype: out.dtype });
  return kernel(inputs, params, out);
};
const backend = {
  ...base,
  kernels: Object.fromEntries(Object.entries(base.kernels).map(([n, k]) => [n, recording(n, k)])),
  primitiveKernels: {
    get: (p) => {
      const k = base.primitiveKernels.get(p);
      return k && recording(p.name, k);
    },
  },
  fused: {
    adamOnDevice: (s) => {
      calls.push({ name: "Adam", adam: s, shape: s.param.shape });
      return base.fused.adamOnDevice(s);
    },
  },
};
np.setBackend(backend);

const model = conv.fashionCnn(0);
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
const rng = new np.Random(1);
const x = np.add(rng.uniform([BATCH, 28, 28], 0, 1, "float32"), 0);
const y = rng.randint(0, 10, [BATCH]);
const step = () => opt.minimize(() => nn.sparseSoftmaxCrossEntropy(model.call(x), y)).data();

const ms = async (f) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};
console.log(
  `adapter: ${base.adapter}; load average ${(await import("node:os")).loadavg().map((l) => l.toFixed(1))}`,
);
console.log(`warm-up step: ${(await ms(step)).toFixed(0)} ms`);
calls = [];
console.log(`timed step: ${(await ms(step)).toFixed(0)} ms (${calls.length} kernel calls)`);
const recorded = calls;
calls = [];

const one = (a) => new np.NDArray(a.storage, [1], a.dtype, [1], a.offset);
const readCost = [];
for (let i = 0; i < 5; i++) readCost.push(await ms(() => one(x).data()));
const overhead = Math.min(...readCost);

const shapes = (c) => (c.inputs ?? [c.adam.param]).map((a) => `[${a.shape}]`).join("·");
const rows = new Map();
for (const c of recorded) {
  let out;
  const run = () => {
    if (c.adam) {
      base.fused.adamOnDevice(c.adam);
      out = c.adam.param;
    } else {
      out = new np.NDArray(
        base.device.allocate(
          c.dtype,
          c.shape.reduce((s, d) => s * d, 1),
        ),
        c.shape,
        c.dtype,
      );
      c.kernel(c.inputs, c.params, out);
    }
  };
  const times = [];
  for (let r = 0; r < REPEATS; r++) times.push(await ms(async () => (run(), await one(out).data())));
  const t = Math.max(0, Math.min(...times) - overhead);
  const key = `${c.name} ${shapes(c)} → [${c.shape}]`;
  const row = rows.get(key) ?? { name: c.name, key, count: 0, ms: 0 };
  row.count++;
  row.ms += t;
  rows.set(key, row);
}
const sorted = [...rows.values()].sort((a, b) => b.ms - a.ms);
const total = sorted.reduce((s, r) => s + r.ms, 0);
console.log(
  `\nreplayed kernels: ${total.toFixed(0)} ms in all (read overhead ${overhead.toFixed(1)} ms subtracted)`,
);
console.log("| kernel and shapes | calls | ms |");
for (const r of sorted) console.log(`| ${r.key} | ${r.count} | ${r.ms.toFixed(1)} |`);
const byName = new Map();
for (const r of sorted) byName.set(r.name, (byName.get(r.name) ?? 0) + r.ms);
console.log("\n| kernel | ms |");
for (const [n, t] of [...byName].sort((a, b) => b[1] - a[1])) console.log(`| ${n} | ${t.toFixed(1)} |`);
