import type { NDArray } from "@chainrule/ndarray";

/** One split of an image dataset. */
export interface LabeledImages {
  /** uint8 pixels, [N, height, width] or [N, height, width, channels] (normalizeImages makes floats). */
  images: NDArray;
  /** int32 class indices, [N]. */
  labels: NDArray;
}
