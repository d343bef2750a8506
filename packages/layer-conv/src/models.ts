import { Dense, Flatten, Reshape, Sequential } from "@chainrule/nn";
import { Conv2D, MaxPool2D } from "./layers";

export interface FashionCnnOptions {
  /** Filters of the two convolution blocks (default [32, 64]). */
  filters?: readonly [number, number];
  /** Units of the hidden Dense layer (default 128). */
  hidden?: number;
}

/**
 * A small CNN for 28×28 grey images (Fashion-MNIST, MNIST), taking `[N, 28, 28]` and returning 10 logits:
 * Reshape to NHWC `[N, 28, 28, 1]` → Conv2D(32, 3×3, same, ReLU) → MaxPool2D(2) → Conv2D(64, 3×3, same, ReLU)
 * → MaxPool2D(2) → Flatten (7·7·64 = 3136) → Dense(128, ReLU) → Dense(10). 421,642 parameters by default.
 */
export function fashionCnn(seed: number, options: FashionCnnOptions = {}): Sequential {
  const [f1, f2] = options.filters ?? [32, 64];
  const hidden = options.hidden ?? 128;
  return new Sequential(
    [
      new Reshape([28, 28, 1], { inputShape: [28, 28] }),
      new Conv2D(f1, 3, { padding: "same", activation: "relu", inputChannels: 1 }),
      new MaxPool2D(2),
      new Conv2D(f2, 3, { padding: "same", activation: "relu", inputChannels: f1 }),
      new MaxPool2D(2),
      new Flatten(),
      new Dense(hidden, { inputDim: 7 * 7 * f2, activation: "relu" }),
      new Dense(10, { inputDim: hidden }),
    ],
    { seed },
  );
}
