import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { defineConfig, type Plugin } from "vite";

// Cross-origin isolation: SharedArrayBuffer, and so the wasm backend's worker threads, need both headers.
const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/** Where the Fashion-MNIST .gz files are: CHAINRULE_DATA_DIR, else Debian's dataset-fashion-mnist. */
const fashionDirs = () =>
  [process.env.CHAINRULE_DATA_DIR, "/usr/share/datasets/fashion-mnist"].filter((d): d is string => !!d);

const FASHION_NAME = /^\/data\/fashion-mnist\/((?:train|t10k)-(?:images-idx3|labels-idx1)-ubyte\.gz)$/;

/** Serves the Fashion-MNIST files from this origin (the page checks their sha256 itself). */
function serveFashion(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const m = FASHION_NAME.exec((req.url ?? "").split("?")[0]!.replace(/^\/[^/]*(?=\/data\/)/, ""));
  if (!m) return next();
  const file = fashionDirs()
    .map((d) => join(d, m[1]!))
    .find((f) => existsSync(f));
  if (!file) {
    res.statusCode = 404;
    res.end(`${m[1]} not found in ${fashionDirs().join(", ")} (apt-get install dataset-fashion-mnist)`);
    return;
  }
  res.setHeader("Content-Type", "application/octet-stream");
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
  createReadStream(file).pipe(res);
}

function fashionData(): Plugin {
  return {
    name: "chainrule-fashion-mnist",
    configureServer: (server) => void server.middlewares.use(serveFashion),
    configurePreviewServer: (server) => void server.middlewares.use(serveFashion),
  };
}

// Packages resolve to their built dist files, as they would for a user (run `pnpm build` first).
export default defineConfig({
  base: "./",
  plugins: [fashionData()],
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  build: { target: "es2022", chunkSizeWarningLimit: 2000 },
  worker: { format: "es" },
});
