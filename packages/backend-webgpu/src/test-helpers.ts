import * as np from "@chainrule/ndarray";
import { expect } from "vitest";
import { createWebGpuBackend, type WebGpuBackend } from "./index";

// The test command needs no GPU: Debian's chromium ships SwiftShader, a Vulkan driver on the CPU
// (scripts/setup.sh installs it). Set before Dawn creates its instance; a machine's own choice wins.
process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";

let backend: Promise<WebGpuBackend> | undefined;

/** One device for the whole file (SwiftShader takes a moment to start). A missing adapter fails. */
export function webgpu(): Promise<WebGpuBackend> {
  backend ??= createWebGpuBackend();
  return backend;
}

/** Deterministic values in [lo, hi) (a small LCG, so the test needs nothing from the code under test). */
export function values(n: number, seed: number, lo = -2, hi = 2): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  });
}

/** Runs `f` on the js backend and on webgpu; the results must agree (float32 tolerance). */
export async function agree(f: () => np.NDArray, rtol = 1e-5, atol = 1e-6): Promise<np.NDArray> {
  return (await agreeAll(() => [f()], rtol, atol))[0]!;
}

/** `agree` for functions of several results (gradients): each one is compared, in order. */
export async function agreeAll(
  f: () => np.NDArray[],
  rtol = 1e-5,
  atol = 1e-6,
  onDevice = true,
  device?: WebGpuBackend,
): Promise<np.NDArray[]> {
  const previous = np.getBackend();
  np.setBackend(np.jsBackend);
  const wants = f();
  np.setBackend(device ?? (await webgpu()));
  try {
    const gots = f();
    expect(gots.length).toBe(wants.length);
    for (let k = 0; k < wants.length; k++)
      await compare(gots[k]!, wants[k]!, rtol, atol, `result ${k}`, onDevice);
    return wants;
  } finally {
    np.setBackend(previous);
  }
}

async function compare(
  got: np.NDArray,
  want: np.NDArray,
  rtol: number,
  atol: number,
  what: string,
  onDevice: boolean,
) {
  if (onDevice) expect(got.onDevice).toBe(true);
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(want.dtype);
  const g = Array.from(await got.data());
  const w = Array.from(want.dataSync());
  expect(g.length).toBe(w.length);
  g.forEach((v, i) => {
    const ref = w[i]!;
    if (Number.isNaN(ref)) expect(v).toBeNaN();
    else if (!Number.isFinite(ref)) expect(v).toBe(ref);
    else if (Math.abs(v - ref) > atol + rtol * Math.abs(ref)) {
      expect.fail(`${what}, element ${i}: webgpu ${v}, js ${ref} (shape ${JSON.stringify(want.shape)})`);
    }
  });
}

/** A device-resident [2,3,4] float32 array and views of it: transposed, sliced with a step, reversed. */
export function views(seed: number, lo = -2, hi = 2): Record<string, np.NDArray> {
  const base = np.add(np.array(values(24, seed, lo, hi), { dtype: "float32" }).reshape(2, 3, 4), 0);
  return {
    contiguous: base,
    transposed: base.transpose([2, 0, 1]),
    stepped: np.slice(base, ":, ::2, 1:"),
    reversed: np.slice(base, "::-1, :, ::-1"),
  };
}
