import { renameSync, writeFileSync } from "node:fs";
import { parseAppFlags, parseBackend, selectBackend } from "@chainrule/app-kit";
import { zeros } from "@chainrule/ndarray";
import { exportOnnx } from "@chainrule/onnx";
import { defaultEpochs, evalOnly, parseModelKind, run } from "./fashion-mnist";

const flags = parseAppFlags("fashion-mnist", process.argv.slice(2), {
  model: { type: "string", default: "mlp" },
  "eval-only": { type: "string" },
  "train-limit": { type: "string" },
  "batch-size": { type: "string", default: "100" },
  backend: { type: "string", default: "wasm" },
  eager: { type: "boolean", default: false },
  "export-onnx": { type: "string" },
});
const backend = parseBackend(flags.extra.backend);
await selectBackend(backend);
const number = (name: string): number | undefined => {
  const v = flags.extra[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`fashion-mnist: --${name} expects a positive whole number, got '${String(v)}'`);
  return n;
};

const model = parseModelKind(flags.extra.model);
const log = (line: string) => console.log(line);
if (typeof flags.extra["eval-only"] === "string") {
  await evalOnly(flags.extra["eval-only"], { log });
} else {
  // MLP: the default is already the full 10 epochs (--full changes nothing): the test accuracy wobbles by about
  // ±0.005 from one epoch to the next, and only from epoch 9 on is it above 0.88 for every seed tried (0, 1, 2).
  // CNN: the fewest epochs that reach 0.90 with seed 0 (see the README).
  const epochs = flags.epochs ?? defaultEpochs(model);
  const { metrics, model: trained } = await run({
    model,
    epochs,
    lr: flags.lr ?? 1e-3,
    batchSize: number("batch-size")!,
    seed: flags.seed,
    out: flags.out,
    trainLimit: number("train-limit"),
    progress: "auto",
    log,
    backend,
    eager: Boolean(flags.extra.eager),
  });
  console.log(
    `\ntest accuracy ${metrics.testAccuracy.toFixed(4)} after ${epochs} epoch${epochs === 1 ? "" : "s"} (${metrics.wallTimeSeconds.toFixed(1)} s); ` +
      `wrote ${flags.out}/{loss,accuracy,confusion,samples}.{svg,png}, model.safetensors and metrics.json`,
  );
  const onnxFile = flags.extra["export-onnx"];
  if (typeof onnxFile === "string") {
    // Written beside the target, then renamed: a reader never sees half a file.
    const tmp = `${onnxFile}.${process.pid}.tmp`;
    writeFileSync(tmp, exportOnnx(trained, zeros([1, 28, 28], "float32")));
    renameSync(tmp, onnxFile);
    console.log(`wrote ${onnxFile} (ONNX opset 17, input [batch, 28, 28], 10 logits)`);
  }
}
