// The built ESM packages in Chromium with no bundler: an import map points the bare specifiers at the dist
// files, and the browser's own module loader must load them (a CommonJS dependency would fail here with
// "does not provide an export named 'default'").
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import seedrandom from "seedrandom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./bundle";
import { runChecks } from "./native-esm/checks.js";
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
