// The live moons view: trains in slices of ~30 ms and redraws the boundary and the loss curve between them.
import { availableBackends, selectBackend, type BackendName } from "./backends";
import { $, fillBackendSelect, numberInput, reportError } from "./dom";
import { drawBoundary, drawLoss } from "./draw";
import { createMoonsRun, DEFAULT_MOONS, parityTrace, type MoonsConfig, type MoonsRun } from "./moons-core";

const GRID = 60;
const SLICE_MS = 30;

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
  if (!(lr > 0)) throw new Error(`learning rate must be positive; got ${lr}`);
  if (!(noise >= 0 && noise <= 0.5)) throw new Error(`noise must be in [0, 0.5]; got ${noise}`);
  return { ...DEFAULT_MOONS, lr, noise, hidden };
}

export function setupMoons(): void {
  const status = $("moons-status");
  const startButton = $<HTMLButtonElement>("moons-start");
  const backendSelect = $<HTMLSelectElement>("moons-backend");
  fillBackendSelect(backendSelect, availableBackends(), "wasm");
  let run: MoonsRun | undefined;
  let running = false;
  let losses: number[] = [];
  let stepMs = 0;

  const redraw = () => {
    if (!run) return;
    drawBoundary($<HTMLCanvasElement>("moons-boundary"), run.grid(GRID), GRID, run.test);
    drawLoss($<HTMLCanvasElement>("moons-loss"), losses, "loss (running mean)");
    const acc = run.testAccuracy();
    const us = (stepMs * 1000) / run.stepsDone;
    status.textContent = `${backendSelect.value} · ${run.stepsDone} steps (epoch ${(run.stepsDone / run.train.y.length).toFixed(1)}) · ${us.toFixed(0)} µs/step · test accuracy ${acc.toFixed(3)}`;
    Object.assign(status.dataset, {
      steps: String(run.stepsDone),
      testAccuracy: String(acc),
      usPerStep: String(us),
    });
  };

  const loop = () => {
    if (!running || !run) return;
    const t0 = performance.now();
    while (performance.now() - t0 < SLICE_MS) {
      // The curve shows a running mean: per-sample losses jump around too much to read.
      const loss = run.steps(50);
      losses.push(losses.length === 0 ? loss : 0.9 * losses[losses.length - 1]! + 0.1 * loss);
    }
    stepMs += performance.now() - t0;
    redraw();
    setTimeout(loop, 0);
  };

  const reset = async () => {
    running = false;
    startButton.textContent = "Start";
    await selectBackend(backendSelect.value as BackendName);
    run = createMoonsRun(readConfig());
    losses = [];
    stepMs = 0;
    redraw();
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
      loop();
    } catch (e) {
      reportError(status, e);
    }
  };
  $("moons-reset").onclick = () => reset().catch((e) => reportError(status, e));
  for (const id of ["moons-lr", "moons-noise", "moons-hidden", "moons-backend"]) {
    $(id).onchange = () => reset().catch((e) => reportError(status, e));
  }
  $("parity-run").onclick = () => runParity().catch((e) => reportError($("parity"), e));
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
  await selectBackend($<HTMLSelectElement>("moons-backend").value as BackendName);
}
