// The live moons view: trains in slices (~30 ms on the CPU) and redraws the boundary and the loss curve between them.
import { getBackend } from "@chainrule/ndarray";
import {
  availableBackends,
  probeWebGpu,
  selectBackend,
  type ActiveBackend,
  type BackendName,
} from "./backends";
import { $, fillBackendSelect, numberInput, reportError } from "./dom";
import { drawBoundary, drawLoss } from "./draw";
import { createMoonsRun, DEFAULT_MOONS, parityTrace, type MoonsConfig, type MoonsRun } from "./moons-core";
import { createDeviceMoonsRun } from "./moons-device";

const GRID = 60;

function readConfig(): MoonsConfig {
  const hidden = $<HTMLInputElement>("moons-hidden")
    .value.split(/[,\s]+/)
    .filter((s) => s !== "")
    .map(Number);
  if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 512)) {
    throw new Error(
      `hidden sizes must be whole numbers from 1 to 512, comma separated; got "${$<HTMLInputElement>("moons-hidden").value}"`,
    );
  }
  const lr = numberInput("moons-lr");
  const noise = numberInput("moons-noise");
  const batchSize = numberInput("moons-batch");
  if (!(lr > 0)) throw new Error(`learning rate must be positive; got ${lr}`);
  if (!(noise >= 0 && noise <= 0.5)) throw new Error(`noise must be in [0, 0.5]; got ${noise}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 700))
    throw new Error(`batch size must be a whole number from 1 to 700 (the training set); got ${batchSize}`);
  return { ...DEFAULT_MOONS, lr, noise, hidden, batchSize };
}

/** Says which backends the select offers, and why webgpu is missing where it is. */
async function offerBackends(select: HTMLSelectElement): Promise<void> {
  fillBackendSelect(select, await availableBackends(), "wasm");
  const { backend, reason } = await probeWebGpu();
  const note = $("webgpu-note");
  note.textContent = backend ? `WebGPU: ${backend.adapter}` : `No webgpu choice: ${reason}.`;
  note.dataset.webgpu = String(backend !== null);
}

/** Shows what runs, and why it is not what was asked for where it is not (wasm under a strict CSP). */
function showActive(active: ActiveBackend): void {
  const note = $("backend-note");
  note.textContent = active.fallback ?? "";
  note.hidden = active.fallback === undefined;
  $("moons-status").dataset.backend = active.name;
}

export async function setupMoons(): Promise<void> {
  const status = $("moons-status");
  const startButton = $<HTMLButtonElement>("moons-start");
  const backendSelect = $<HTMLSelectElement>("moons-backend");
  await offerBackends(backendSelect);
  let run: MoonsRun | undefined;
  let active: ActiveBackend | undefined;
  let running = false;
  let losses: number[] = [];
  let stepMs = 0;

  const redraw = async () => {
    if (!run) return;
    drawBoundary($<HTMLCanvasElement>("moons-boundary"), await run.grid(GRID), GRID, run.test);
    drawLoss($<HTMLCanvasElement>("moons-loss"), losses, "loss (running mean)");
    const acc = await run.testAccuracy();
    const us = (stepMs * 1000) / run.stepsDone;
    const epoch = (run.stepsDone * run.config.batchSize) / run.train.y.length;
    status.textContent = `${active!.name} · ${run.stepsDone} steps of ${run.config.batchSize} (epoch ${epoch.toFixed(1)}) · ${us.toFixed(0)} µs/step · test accuracy ${acc.toFixed(3)}`;
    Object.assign(status.dataset, {
      steps: String(run.stepsDone),
      testAccuracy: String(acc),
      usPerStep: String(us),
    });
  };

  const loop = async () => {
    if (!running || !run) return;
    const t0 = performance.now();
    while (performance.now() - t0 < run.sliceMs) {
      // The curve shows a running mean: per-sample losses jump around too much to read.
      const loss = await run.steps(run.chunk);
      losses.push(losses.length === 0 ? loss : 0.9 * losses[losses.length - 1]! + 0.1 * loss);
    }
    stepMs += performance.now() - t0;
    await redraw();
    setTimeout(() => loop().catch((e) => reportError(status, e)), 0);
  };

  const reset = async () => {
    running = false;
    startButton.textContent = "Start";
    active = await selectBackend(backendSelect.value as BackendName);
    showActive(active);
    const config = readConfig();
    run = getBackend().device ? createDeviceMoonsRun(config) : createMoonsRun(config);
    losses = [];
    stepMs = 0;
    await redraw();
    status.dataset.state = "ready";
  };

  startButton.onclick = async () => {
    try {
      if (running) {
        running = false;
        startButton.textContent = "Start";
        status.dataset.state = "stopped";
        return;
      }
      if (!run) await reset();
      running = true;
      startButton.textContent = "Stop";
      status.dataset.state = "running";
      await loop();
    } catch (e) {
      reportError(status, e);
    }
  };
  $("moons-reset").onclick = () => reset().catch((e) => reportError(status, e));
  for (const id of ["moons-lr", "moons-noise", "moons-hidden", "moons-batch", "moons-backend"]) {
    $(id).onchange = () => reset().catch((e) => reportError(status, e));
  }
  $("parity-run").onclick = () => runParity().catch((e) => reportError($("parity"), e));
  status.dataset.state = "idle";
}

/** The reproducibility check: wasm, 2 threads, every matmul through the pool (minFlops 0). */
async function runParity(): Promise<void> {
  const out = $("parity");
  out.textContent = "running…";
  const backend = await selectBackend("wasm", { threads: 2, minFlops: 0 });
  const trace = parityTrace();
  out.textContent = JSON.stringify({ backend: backend.name, threads: backend.threads, ...trace });
  out.dataset.state = "done";
  // Back to the view's own choice, so the live view is not slowed by the forced thread dispatches.
  showActive(await selectBackend($<HTMLSelectElement>("moons-backend").value as BackendName));
}
