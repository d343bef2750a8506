import { deferCheck, withoutRecording } from "../engine";
import type { NDArray } from "../ndarray";
import { dispose, keep } from "../pool";
import { max, min } from "./reduce";

/**
 * Checks that every element of `x` lies in [lo, hi]. Host arrays are checked now; device arrays (WebGPU)
 * cannot be read synchronously, so their minimum and maximum are computed on the device now and read
 * by the next `await data()`, which throws `error(value)` for the first bound broken.
 */
export function checkRange(x: NDArray, lo: number, hi: number, error: (value: number) => Error): void {
  if (x.size === 0) return;
  if (!x.onDevice) {
    const d = x.dataSync();
    for (let i = 0; i < d.length; i++) if (d[i]! < lo || d[i]! > hi) throw error(Number(d[i]));
    return;
  }
  // The check owns its two arrays: a tidy around the op must not release them before the read.
  const [least, most] = withoutRecording(() => [keep(min(x)), keep(max(x))]);
  deferCheck(async () => {
    try {
      const [a, b] = await Promise.all([least.data(), most.data()]);
      if (Number(a[0]) < lo) throw error(Number(a[0]));
      if (Number(b[0]) > hi) throw error(Number(b[0]));
    } finally {
      dispose([least, most]);
    }
  });
}
