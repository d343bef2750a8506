import { describe, expect, it } from "vitest";
import { fit } from "../index";
import { createBarReporter } from "./bar";

describe("progress bar (cli-progress on a TTY)", () => {
  it("draws a bar per epoch and leaves a summary line for each", async () => {
    let out = "";
    const tty = { isTTY: true, columns: 120, write: (s: string) => ((out += s), true) };
    await fit({ epochs: 2, data: [1, 2, 3], trainStep: (x) => x, progress: await createBarReporter(tty) });
    const text = out.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, ""); // strip cursor/erase escapes
    expect(text).toMatch(/Epoch 1\/2 \[[█░]{30}\] 0\/3/);
    expect(text).toMatch(/Epoch 1\/2 · 3 batches · \d+\.\ds · loss 2\.0000\n/);
    expect(text).toMatch(/Epoch 2\/2 · 3 batches · \d+\.\ds · loss 2\.0000\n/);
  });
});
