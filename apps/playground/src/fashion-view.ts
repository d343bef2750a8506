// The Fashion-MNIST view: load the data (verified, cached), train with a progress bar, show the test
// accuracy and a grid of test images with their predicted labels; save and load the model as safetensors.
import { availableBackends, selectBackend, type BackendName } from "./backends";
import { $, fillBackendSelect, numberInput, reportError } from "./dom";
import { drawGray } from "./draw";
import { createFashionRun, loadSafetensorsInto, modelToSafetensors, type FashionRun } from "./fashion-core";
import { FASHION_MNIST_CLASS_NAMES as FASHION_CLASS_NAMES } from "@chainrule/datasets";
import { loadFashion, type FashionData } from "./fashion-data";

const GRID_IMAGES = 32;

async function showGrid(run: FashionRun): Promise<void> {
  const pred = await run.predict(GRID_IMAGES);
  const labels = run.testLabels.dataSync() as Int32Array;
  const pixels = run.testImages.dataSync() as Uint8Array;
  const figures = Array.from(pred, (p, k) => {
    const fig = document.createElement("figure");
    const canvas = document.createElement("canvas");
    drawGray(canvas, pixels.subarray(k * 784, (k + 1) * 784), 28);
    const caption = document.createElement("figcaption");
    caption.textContent = FASHION_CLASS_NAMES[p]!;
    if (p !== labels[k]) {
      caption.className = "wrong";
      caption.title = `true: ${FASHION_CLASS_NAMES[labels[k]!]}`;
    }
    fig.append(canvas, caption);
    return fig;
  });
  $("fashion-grid").replaceChildren(...figures);
}

export async function setupFashion(): Promise<void> {
  const status = $("fashion-status");
  const progress = $<HTMLProgressElement>("fashion-progress");
  const backendSelect = $<HTMLSelectElement>("fashion-backend");
  const download = $<HTMLButtonElement>("fashion-download");
  // webgpu where the browser has an adapter: the traced plan, the weights and Adam's state stay on the GPU.
  fillBackendSelect(backendSelect, await availableBackends(), "wasm");
  let data: FashionData | undefined;
  let run: FashionRun | undefined;

  const showAccuracy = async (prefix: string) => {
    const acc = await run!.testAccuracy();
    status.textContent = `${prefix} · test accuracy ${acc.toFixed(4)} on 10,000 test images`;
    status.dataset.testAccuracy = String(acc);
    await showGrid(run!);
  };

  const train = async () => {
    status.dataset.state = "loading";
    if (!data) {
      const loaded = await loadFashion((f, message) => {
        progress.value = f;
        status.textContent = message;
      });
      data = loaded.data;
      status.dataset.cached = String(loaded.cached);
    }
    const batches = numberInput("fashion-batches");
    if (!(Number.isInteger(batches) && batches >= 1))
      throw new Error(`batches must be a whole number ≥ 1; got ${batches}`);
    const active = await selectBackend(backendSelect.value as BackendName);
    run = createFashionRun(data, { seed: 0, lr: numberInput("fashion-lr") });
    status.dataset.state = "training";
    const t0 = performance.now();
    await run.train(batches, (done, loss) => {
      progress.value = done / batches;
      status.textContent = `batch ${done}/${batches} · loss ${loss.toFixed(4)}`;
    });
    const seconds = (performance.now() - t0) / 1000;
    await showAccuracy(`${batches} batches of 100 in ${seconds.toFixed(1)} s on ${active.name}`);
    status.dataset.backend = active.name;
    status.dataset.state = "trained";
    download.disabled = false;
  };

  $("fashion-train").onclick = () => train().catch((e) => reportError(status, e));
  const saveModel = async () => {
    const bytes = await modelToSafetensors(run!.model); // on webgpu the weights are read back first
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" });
    const a = Object.assign(document.createElement("a"), {
      href: URL.createObjectURL(blob),
      download: "fashion-mlp.safetensors",
    });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };
  download.onclick = () => saveModel().catch((e) => reportError(status, e));
  const drop = $("fashion-drop");
  drop.ondragover = (e) => {
    e.preventDefault();
    drop.classList.add("over");
  };
  drop.ondragleave = () => drop.classList.remove("over");
  drop.ondrop = (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const file = e.dataTransfer?.files[0];
    if (file) loadDropped(file).catch((err) => reportError(status, err));
  };

  const loadDropped = async (file: File) => {
    status.dataset.state = "loading";
    if (!data) {
      const loaded = await loadFashion(
        (f, message) => ((progress.value = f), (status.textContent = message)),
      );
      data = loaded.data;
      status.dataset.cached = String(loaded.cached);
    }
    run ??= createFashionRun(data, { seed: 0, lr: numberInput("fashion-lr") });
    loadSafetensorsInto(run.model, new Uint8Array(await file.arrayBuffer()), file.name);
    await showAccuracy(`loaded ${file.name}`);
    status.dataset.state = "loaded";
    download.disabled = false;
  };
}
