import { describe, expect, it } from "vitest";
import { fit } from "../index";
import { LinesReporter } from "./lines";

describe("plain progress lines (not a TTY)", () => {
  it("fit with a log sink prints periodic batch lines and one summary per epoch", async () => {
    const lines: string[] = [];
    await fit({
      epochs: 2,
      data: [1, 2, 3, 4, 5],
      trainStep: (x) => ({ loss: x, acc: x / 10 }),
      validate: (e) => ({ val_loss: 0.5 / (e + 1) }),
      log: (l) => lines.push(l),
      logEvery: { batches: 2, seconds: 0 },
    });
    // The duration is the only thing that varies.
    expect(lines.map((l) => l.replace(/ \d+\.\ds /, " Ts "))).toEqual([
      "Epoch 1/2 · batch 2/5 · loss 1.5000 · acc 0.1500",
      "Epoch 1/2 · batch 4/5 · loss 2.5000 · acc 0.2500",
      "Epoch 1/2 · 5 batches · Ts · loss 3.0000 · acc 0.3000 · val_loss 0.5000",
      "Epoch 2/2 · batch 2/5 · loss 1.5000 · acc 0.1500",
      "Epoch 2/2 · batch 4/5 · loss 2.5000 · acc 0.2500",
      "Epoch 2/2 · 5 batches · Ts · loss 3.0000 · acc 0.3000 · val_loss 0.2500",
    ]);
  });

  it("prints by time when so many seconds have passed, and without a total when the length is unknown", () => {
    const lines: string[] = [];
    let now = 0;
    const r = new LinesReporter({ log: (l) => lines.push(l), everySeconds: 10, now: () => now });
    r.epochStart(0, 3, undefined);
    for (const [t, done] of [
      [4, 1],
      [11, 2],
      [15, 3],
      [22, 4],
    ] as const) {
      now = t * 1000;
      r.batchEnd(done, { loss: 1 / done });
    }
    r.epochEnd(0, 3, { loss: 0.00001234 }, 23.04);
    expect(lines).toEqual([
      "Epoch 1/3 · batch 2 · loss 0.5000",
      "Epoch 1/3 · batch 4 · loss 0.2500",
      "Epoch 1/3 · 4 batches · 23.0s · loss 1.234e-5",
    ]);
  });

  it("progress 'none' prints nothing", async () => {
    const lines: string[] = [];
    await fit({ epochs: 1, data: [1], trainStep: (x) => x, progress: "none", log: (l) => lines.push(l) });
    expect(lines).toEqual([]);
  });
});
