// Installs the backend named by CHAINRULE_BACKEND before every test file, so the same op and gradient
// suites run on each backend: unset or "js" is the reference backend, "wasm" is @chainrule/backend-wasm.
import { setBackend } from "./packages/ndarray/src/index";

const name = process.env.CHAINRULE_BACKEND?.trim();
if (name === "wasm") {
  const wasm = await import("./packages/backend-wasm/src/index");
  // With layer-conv's window primitives in wasm too, so its suite checks those kernels on this backend.
  const { wasmConvKernels } = await import("./packages/backend-wasm/src/conv-kernels");
  setBackend(await wasm.createBackend({ primitiveKernels: wasmConvKernels }));
}
