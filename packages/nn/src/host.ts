import { NDArray, type DeviceStorage } from "@chainrule/ndarray";

/** The tensors with device-resident ones (WebGPU weights) read back to host arrays (`await data()`). */
export async function tensorsOnHost(tensors: Record<string, NDArray>): Promise<Record<string, NDArray>> {
  const out: Record<string, NDArray> = {};
  for (const [name, x] of Object.entries(tensors)) {
    const value = x?.onDevice ? new NDArray(await x.data(), x.shape, x.dtype) : x;
    Object.defineProperty(out, name, { value, enumerable: true, configurable: true, writable: true }); // '__proto__' too
  }
  return out;
}

/** Throws, naming `instead`, when a tensor lives on a device (JS cannot read it synchronously). */
export function requireHost(tensors: Record<string, NDArray>, op: string, instead: string): void {
  for (const [name, x] of Object.entries(tensors))
    if (x instanceof NDArray && x.onDevice)
      throw new Error(
        `${op}: tensor '${name}' lives on the '${(x.storage as DeviceStorage).backend}' backend, which JS ` +
          `cannot read synchronously; use ${instead}`,
      );
}
