/**
 * Chooses the backend the test suite runs on. Every test file imports this module first, so
 *
 *     CHAINRULE_BACKEND=<name> pnpm vitest run packages/ndarray
 *
 * runs the whole suite against another backend. "js" (the default) is this package's reference
 * backend. Any other value is a module to import: a package name, or a path (relative to the
 * working directory) such as `packages/backend-wasm/src/index.ts`; it must export a `Backend` as
 * `backend` or as its default export, or a `createBackend()` that returns one (or a promise).
 * Test-only: not part of the published package.
 */
import { getBackend, jsBackend, setBackend, type Backend } from "../index";

interface ProcessLike {
  env?: Record<string, string | undefined>;
  cwd?: () => string;
}
// Read through globalThis so the package itself needs no Node types.
const proc = (globalThis as { process?: ProcessLike }).process;

/** The backend name from CHAINRULE_BACKEND, "js" when unset. */
export const backendName: string = proc?.env?.CHAINRULE_BACKEND?.trim() || "js";

async function loadBackend(name: string): Promise<Backend> {
  if (name === "js") return jsBackend;
  // The workspace's vitest setup file may have installed it already (CHAINRULE_BACKEND=wasm).
  if (getBackend().name === name) return getBackend();
  const isPath = name.startsWith(".") || name.startsWith("/") || name.includes("/src/");
  const specifier = isPath && proc?.cwd ? new URL(name, `file://${proc.cwd()}/`).href : name;
  const mod = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
  const create = mod.createBackend as (() => Backend | Promise<Backend>) | undefined;
  const found = (mod.backend ??
    mod.default ??
    (typeof create === "function" ? await create() : undefined)) as Backend | undefined;
  if (!found || typeof found.kernels !== "object") {
    throw new Error(
      `CHAINRULE_BACKEND=${name}: the module exports no Backend (as \`backend\`, default, or createBackend())`,
    );
  }
  return found;
}

/** The backend under test, installed with `setBackend` when this module loads. */
export const backend: Backend = await loadBackend(backendName);
setBackend(backend);

/** Re-installs the backend under test (for tests that swap backends temporarily). */
export function restoreBackend(): void {
  if (getBackend() !== backend) setBackend(backend);
}
