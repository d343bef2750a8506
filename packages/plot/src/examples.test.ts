import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exampleCharts } from "./examples.js";
import { save } from "./save.js";

// Renders every example chart. Set PLOT_EXAMPLES=/some/dir to keep the pictures for a look.
describe("example charts", () => {
  it("all render to SVG and PNG", async () => {
    const out = process.env.PLOT_EXAMPLES ?? (await mkdtemp(join(tmpdir(), "chainrule-plot-examples-")));
    try {
      const charts = await exampleCharts();
      expect(Object.keys(charts).length).toBeGreaterThanOrEqual(6);
      for (const [name, chart] of Object.entries(charts)) {
        const files = await save(chart, join(out, name));
        expect(files.png.endsWith(`${name}.png`)).toBe(true);
      }
    } finally {
      if (!process.env.PLOT_EXAMPLES) await rm(out, { recursive: true, force: true });
    }
  });
});
