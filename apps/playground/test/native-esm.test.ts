// The built ESM packages in Chromium with no bundler: an import map points the bare specifiers at the dist
// files, and the browser's own module loader must load them (a CommonJS dependency would fail here with
// "does not provide an export named 'default'").
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import seedrandom from "seedrandom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./bundle";
import { runChecks } from "./native-esm/checks.js";
import { timeSteps } from "./native-esm/step-timing.js";
import { serveNativeEsm, type StaticServer } from "./static-server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const PACKAGES = ["ndarray", "autograd", "nn", "optim"];

let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  const missing = PACKAGES.filter((p) => !existsSync(join(ROOT, "packages", p, "dist/index.js")));
  if (missing.length > 0) throw new Error(`native ESM test: run pnpm build first (no dist in ${missing})`);
  if (!existsSync(CHROMIUM)) throw new Error(`native ESM test: no chromium at ${CHROMIUM}`);
  server = await serveNativeEsm();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the packages' ESM builds through an import map, no bundler", () => {
  it("load in Chromium and compute what Node computes", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // A module that fails to load or link is reported on the console, not as a page error.
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    const requested: string[] = [];
    page.on("request", (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(server.url);
    const result = page.locator("#result");
    const end = Date.now() + 30_000;
    while (errors.length === 0 && (await result.getAttribute("data-state")) === null && Date.now() < end)
      await page.waitForTimeout(100);
    expect(errors).toEqual([]);
    const text = (await result.textContent())!;
    expect(text).not.toMatch(/^error/);
    const inPage = JSON.parse(text);

    // The browser really loaded the ESM dist files (and nothing from node_modules).
    expect(inPage.format).toBe("esm");
    for (const p of PACKAGES) expect(requested).toContain(`/packages/${p}/dist/index.js`);
    expect(requested.filter((r) => r.includes("node_modules"))).toEqual([]);

    // Seeded numbers: seedrandom's own Alea stream for the same seed, bit for bit.
    const alea = seedrandom.alea("42");
    expect(inPage.uniforms).toEqual(Array.from({ length: 5 }, () => alea()));
    // [[1,2],[3,4]]·[[1,2],[3,4]]ᵀ + 1
    expect(inPage.product).toEqual([
      [6, 12],
      [12, 26],
    ]);
    // The gradient of Σ sin(x)·x against its closed form.
    const xs = [0.5, -1.25, 2];
    inPage.gradient.forEach((g: number, i: number) =>
      expect(g).toBeCloseTo(Math.cos(xs[i]!) * xs[i]! + Math.sin(xs[i]!), 12),
    );
    // Training: the same losses as the same code in Node, and they went down.
    const inNode = await runChecks();
    expect(inPage.losses).toEqual(inNode.losses);
    expect(inPage.losses[19]).toBeLessThan(inPage.losses[0]);
    await page.close();
  }, 90_000);
});

const MODES = ["eager", "tidy", "traced"] as const;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("the moons step's time in the page and in Node (reported, not asserted)", () => {
  it("prints µs per step, median of 3 runs, for eager, eager in tidy, and traced", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById("result")!.dataset.state === "done");
    const rows: Record<string, { node: number; chromium: number; ratio: number }> = {};
    for (const mode of MODES) {
      const chromium: number[] = [];
      const node: number[] = [];
      for (let run = 0; run < 3; run++) {
        // A string, so that vitest's transform leaves the page's own dynamic import alone.
        const inPage = `import("./step-timing.js").then((m) => m.timeSteps("${mode}", 1500, 500))`;
        chromium.push((await page.evaluate(inPage)) as number);
        node.push(timeSteps(mode, 1500, 500));
      }
      rows[mode] = { node: median(node), chromium: median(chromium), ratio: median(chromium) / median(node) };
      expect(rows[mode].node).toBeGreaterThan(0);
      expect(rows[mode].chromium).toBeGreaterThan(0);
    }
    const load = loadavg().map((l) => l.toFixed(1));
    console.log(
      `moons step, µs (median of 3 × 1500 steps; load average ${load.join(", ")}):\n` +
        MODES.map(
          (m) =>
            `  ${m.padEnd(6)} Node ${rows[m]!.node.toFixed(0).padStart(5)}  Chromium ${rows[
              m
            ]!.chromium.toFixed(0).padStart(5)}  page/Node ${rows[m]!.ratio.toFixed(2)}×`,
        ).join("\n"),
    );
    const out = join(ROOT, "apps/playground/out/browser-test");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "step-timing.json"), JSON.stringify({ loadAverage: loadavg(), rows }, null, 2));
    await page.close();
  }, 180_000);
});
