// The playground in a real Chromium: build the page, serve it with `vite preview` on 127.0.0.1, drive
// Debian's chromium headless, and check what the page computes. Screenshots go to apps/playground/out/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createBackend, initThreads, shutdownThreads } from "@chainrule/backend-wasm";
import { jsBackend, setBackend } from "@chainrule/ndarray";
import { chromium, type Browser, type Page } from "playwright-core";
import { build, preview, type PreviewServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parityTrace } from "../src/moons-core";
import { ROOT } from "./bundle";

const APP = join(ROOT, "apps/playground");
const OUT = join(APP, "out/browser-test");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let server: PreviewServer;
let browser: Browser;
let page: Page;
const figures: Record<string, unknown> = {};

/** The page uses the packages' dist builds, as a user's bundler would. */
function assertBuilt(): void {
  const missing = ["ndarray", "datasets", "nn", "graph", "backend-wasm"].filter(
    (p) => !existsSync(join(ROOT, "packages", p, "dist/index.js")),
  );
  if (missing.length > 0)
    throw new Error(
      `playground test: build the packages first (pnpm build); no dist in ${missing.join(", ")}`,
    );
}

beforeAll(async () => {
  assertBuilt();
  if (!existsSync(CHROMIUM))
    throw new Error(`playground test: no chromium at ${CHROMIUM} (scripts/setup.sh installs it as root)`);
  mkdirSync(OUT, { recursive: true });
  await build({ root: APP, logLevel: "warn", configFile: join(APP, "vite.config.ts") });
  server = await preview({
    root: APP,
    configFile: join(APP, "vite.config.ts"),
    preview: { host: "127.0.0.1", port: 4319, strictPort: false },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1100, height: 900 } });
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(server.resolvedUrls!.local[0]!);
}, 300_000);

afterAll(async () => {
  writeFileSync(join(OUT, "figures.json"), JSON.stringify(figures, null, 2));
  await browser?.close();
  await server?.close();
});

const dataOf = (selector: string, key: string) =>
  page.locator(selector).evaluate((el, k) => (el as HTMLElement).dataset[k] ?? null, key);

/** Polls until `ok(value)` or the page reports an error. */
async function waitFor(
  selector: string,
  key: string,
  ok: (v: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await dataOf(selector, key);
    if (v !== null && ok(v)) return v;
    const state = await dataOf(selector, "state");
    if (state === "error") throw new Error(`${selector}: ${await page.locator(selector).textContent()}`);
    if (Date.now() > end)
      throw new Error(
        `${selector}: data-${key} still ${v} after ${timeoutMs} ms: ${await page.locator(selector).textContent()}`,
      );
    await page.waitForTimeout(250);
  }
}

describe("the playground in Chromium", () => {
  it("is cross-origin isolated (COOP/COEP from the preview server)", async () => {
    expect(await dataOf("#isolation", "isolated")).toBe("true");
  });

  it("trains moons live to ≥ 0.95 test accuracy", async () => {
    await page.fill("#moons-noise", "0.1");
    await page.dispatchEvent("#moons-noise", "change");
    await waitFor("#moons-status", "state", (s) => s === "ready", 30_000);
    await page.click("#moons-start");
    const acc = await waitFor("#moons-status", "testAccuracy", (v) => Number(v) >= 0.95, 240_000);
    await page.click("#moons-start"); // stop
    figures.moons = {
      testAccuracy: Number(acc),
      steps: Number(await dataOf("#moons-status", "steps")),
      usPerStepInPage: Number(await dataOf("#moons-status", "usPerStep")),
    };
    expect(await page.locator("#moons-status").textContent()).toMatch(
      /test accuracy 0\.9[5-9]|test accuracy 1\.0/,
    );
    await page.locator("#moons-view").screenshot({ path: join(OUT, "moons.png") });
  }, 300_000);

  it("gives the same numbers as Node on the wasm backend with worker threads", async () => {
    await page.click("#moons-view summary");
    await page.click("#parity-run");
    await waitFor("#parity", "state", (s) => s === "done", 120_000);
    const inPage = JSON.parse((await page.locator("#parity").textContent())!);
    expect(inPage.threads).toBe(2);
    setBackend(await createBackend({ threads: false }));
    expect(await initThreads({ threads: 2, minFlops: 0 })).toBe(2);
    try {
      const inNode = parityTrace();
      expect(inPage.losses).toHaveLength(30);
      expect(inPage.losses).toEqual(inNode.losses);
      expect(inPage.testAccuracy).toBe(inNode.testAccuracy);
      // Training happened: the loss went down.
      expect(inNode.losses[29]).toBeLessThan(inNode.losses[0]!);
    } finally {
      await shutdownThreads();
      setBackend(jsBackend);
    }
    await page.locator("#moons-view").screenshot({ path: join(OUT, "moons-parity.png") });
  }, 180_000);

  it("without COOP/COEP falls back to one wasm thread and says so", async () => {
    const plain = await browser.newPage();
    // Serve the same files with the isolation headers stripped.
    await plain.route("**/*", async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers["cross-origin-opener-policy"];
      delete headers["cross-origin-embedder-policy"];
      await route.fulfill({ response, headers });
    });
    try {
      await plain.goto(server.resolvedUrls!.local[0]!);
      const note = plain.locator("#isolation");
      expect(await note.evaluate((el) => (el as HTMLElement).dataset.isolated)).toBe("false");
      expect(await note.textContent()).toMatch(/one thread/);
      await plain.click("#moons-view summary");
      await plain.click("#parity-run");
      await plain.waitForFunction(() => document.getElementById("parity")!.dataset.state === "done", null, {
        timeout: 120_000,
      });
      const trace = JSON.parse((await plain.locator("#parity").textContent())!);
      expect(trace.threads).toBe(1);
      await plain.screenshot({ path: join(OUT, "not-isolated.png") });
    } finally {
      await plain.close();
    }
  }, 180_000);

  it("trains Fashion-MNIST on the real data, saves the model and loads it back from the cache", async () => {
    await page.fill("#fashion-batches", "150");
    await page.click("#fashion-train");
    await waitFor("#fashion-status", "state", (s) => s === "trained", 300_000);
    const acc = Number(await dataOf("#fashion-status", "testAccuracy"));
    // 150 Adam steps of batch 100 (a quarter epoch): a 784-128-10 MLP is past 0.75 by then; chance is 0.1.
    expect(acc).toBeGreaterThan(0.75);
    expect(await dataOf("#fashion-status", "cached")).toBe("false");
    expect(await page.locator("#fashion-grid figure").count()).toBe(32);
    figures.fashion = {
      batches: 150,
      testAccuracy: acc,
      status: await page.locator("#fashion-status").textContent(),
    };
    await page.locator("#fashion-view").screenshot({ path: join(OUT, "fashion.png") });

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#fashion-download")]);
    const saved = join(OUT, "fashion-mlp.safetensors");
    await download.saveAs(saved);
    const bytes = readFileSync(saved);
    // safetensors: an 8-byte little-endian header length, then a JSON header naming the tensors.
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString("utf8"));
    expect(Object.keys(header).filter((k) => k !== "__metadata__")).toHaveLength(4);

    // A fresh page: the data comes from Cache Storage and the dropped file restores the same accuracy.
    await page.reload();
    await page.evaluate((b64) => {
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bin], "fashion-mlp.safetensors"));
      document
        .getElementById("fashion-drop")!
        .dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes.toString("base64"));
    await waitFor("#fashion-status", "state", (s) => s === "loaded", 120_000);
    expect(await dataOf("#fashion-status", "cached")).toBe("true");
    expect(Number(await dataOf("#fashion-status", "testAccuracy"))).toBe(acc);
    await page.locator("#fashion-view").screenshot({ path: join(OUT, "fashion-loaded.png") });
  }, 480_000);
});
