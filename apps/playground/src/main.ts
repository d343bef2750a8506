// The playground page: the isolation note, then the two views.
import { isolated, wasmThreads } from "./backends";
import { $, reportError } from "./dom";
import { setupFashion } from "./fashion-view";
import { setupMoons } from "./moons-view";

const note = $("isolation");
note.textContent = isolated()
  ? `Cross-origin isolated: the wasm backend uses ${wasmThreads()} threads for large matmuls.`
  : "Not cross-origin isolated (no COOP/COEP headers): SharedArrayBuffer is unavailable, so the wasm backend runs on one thread.";
note.dataset.isolated = String(isolated());
setupMoons().catch((e) => reportError($("moons-status"), e));
setupFashion().catch((e) => reportError($("fashion-status"), e));
