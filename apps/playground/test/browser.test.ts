// The playground in a real Chromium: build the page, serve it with `vite preview` on 127.0.0.1, drive
// Debian's chromium headless, and check what the page computes. Screenshots go to apps/playground/out/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createBackend, initThreads, shutdownThreads } from "@chainrule/backend-wasm";
import { jsBackend, setBackend } from "@chainrule/ndarray";
import { chromium, type Browser, type Page } from "playwright-core";
import { build, preview, type PreviewServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFashionMnist } from "@chainrule/datasets/node";
import { createFashionRun } from "../src/fashion-core";
import { parityTrace } from "../src/moons-core";
import { ROOT } from "./bundle";

const APP = join(ROOT, "apps/playground");
const OUT = join(APP, "out/browser-test");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let server: PreviewServer;
let browser: Browser;
let page: Page;
const figures: Record<string, unknown> = {};
/** Batches of the short webgpu Fashion run (SwiftShader is a GPU emulated on the CPU). */
const GPU_FASHION_BATCHES = 40;

/** Test accuracy of the page's Fashion run on the js backend in Node, after `batches` batches. */
async function nodeFashionAccuracy(batches: number): Promise<number> {
  const { train, test } = await loadFashionMnist();
  const data = {
    trainImages: train.images,
    trainLabels: train.labels,
    testImages: test.images,
    testLabels: test.labels,
  };
  const run = createFashionRun(data, { seed: 0, lr: 0.001 });
  await run.train(batches, () => {});
  return run.testAccuracy();
}

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
  await openPlayground(page);
}, 300_000);

/** Loads the page and waits until the moons view has chosen its backends (the WebGPU probe is async). */
async function openPlayground(p: Page): Promise<void> {
  await p.goto(server.resolvedUrls!.local[0]!);
  await p.waitForFunction(() => document.getElementById("moons-status")!.dataset.state !== undefined, null, {
    timeout: 60_000,
  });
}

/** Serves the page with `headers` changed: `null` removes one. */
/**
 * A playground page in a Chromium given SwiftShader's adapter (--enable-unsafe-webgpu: a GPU on the CPU),
 * collecting the page's errors; the browser is closed after `body`.
 */
async function withWebGpuPage(body: (p: Page, errors: string[]) => Promise<void>): Promise<void> {
  const gpuBrowser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--enable-unsafe-webgpu"],
  });
  try {
    const gpuPage = await gpuBrowser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    gpuPage.on("pageerror", (e) => errors.push(e.message));
    await openPlayground(gpuPage);
    await body(gpuPage, errors);
  } finally {
    await gpuBrowser.close();
  }
}

async function withHeaders(p: Page, headers: Record<string, string | null>): Promise<void> {
  await p.route("**/*", async (route) => {
    const response = await route.fetch();
    const changed = { ...response.headers() };
    for (const [k, v] of Object.entries(headers)) {
      if (v === null) delete changed[k];
      else changed[k] = v;
    }
    await route.fulfill({ response, headers: changed });
  });
}

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

  it("offers no webgpu choice where navigator.gpu gives no adapter (headless Chromium, no flags)", async () => {
    expect(await page.evaluate(() => "gpu" in navigator)).toBe(true);
    expect(await page.locator("#moons-backend option").allTextContents()).toEqual(["js", "wasm"]);
    expect(await dataOf("#webgpu-note", "webgpu")).toBe("false");
    expect(await page.locator("#webgpu-note").textContent()).toMatch(/no adapter/);
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
    await withHeaders(plain, { "cross-origin-opener-policy": null, "cross-origin-embedder-policy": null });
    try {
      await openPlayground(plain);
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

  it("under a CSP without 'wasm-unsafe-eval', wasm falls back to js and the page says so", async () => {
    const strict = await browser.newPage();
    await withHeaders(strict, { "content-security-policy": "script-src 'self'" });
    const errors: string[] = [];
    strict.on("pageerror", (e) => errors.push(e.message));
    try {
      await openPlayground(strict);
      // The CSP is in force: the page cannot compile wasm itself either.
      expect(
        await strict.evaluate(() =>
          WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(
            () => "compiled",
            (e) => e.name,
          ),
        ),
      ).toBe("CompileError");
      expect(await strict.locator("#moons-backend").inputValue()).toBe("wasm");
      await strict.click("#moons-start");
      await strict.waitForFunction(
        () => Number(document.getElementById("moons-status")!.dataset.steps) > 0,
        null,
        {
          timeout: 60_000,
        },
      );
      await strict.click("#moons-start");
      expect(await strict.locator("#moons-status").getAttribute("data-backend")).toBe("js");
      const note = strict.locator("#backend-note");
      expect(await note.isVisible()).toBe(true);
      expect(await note.textContent()).toMatch(/running on js: .*add 'wasm-unsafe-eval' to its script-src/);
      expect(errors).toEqual([]);
      figures.csp = { note: await note.textContent() };
      await strict.locator("#moons-view").screenshot({ path: join(OUT, "csp-fallback.png") });
    } finally {
      await strict.close();
    }
  }, 120_000);

  it("trains moons on webgpu (SwiftShader) where Chromium is given an adapter", async () => {
    await withWebGpuPage(async (gpuPage, errors) => {
      expect(await gpuPage.locator("#moons-backend option").allTextContents()).toEqual([
        "js",
        "wasm",
        "webgpu",
      ]);
      expect(await gpuPage.locator("#webgpu-note").textContent()).toMatch(/WebGPU: google swiftshader/);
      await gpuPage.fill("#moons-noise", "0.1");
      // Mini-batches: per-sample SGD would be one GPU round of ~40 dispatches per sample.
      await gpuPage.fill("#moons-batch", "128");
      await gpuPage.fill("#moons-lr", "3");
      await gpuPage.selectOption("#moons-backend", "webgpu");
      const status = gpuPage.locator("#moons-status");
      // The status still reads "ready" for the previous backend until the switch has been handled.
      await gpuPage.waitForFunction(() => {
        const { state, backend } = document.getElementById("moons-status")!.dataset;
        return state === "error" || (state === "ready" && backend === "webgpu");
      });
      expect(await status.getAttribute("data-backend")).toBe("webgpu");
      await gpuPage.click("#moons-start");
      const end = Date.now() + 240_000;
      let acc = 0;
      while (acc < 0.95) {
        if (Date.now() > end || (await status.getAttribute("data-state")) === "error")
          throw new Error(`moons on webgpu: ${await status.textContent()}`);
        await gpuPage.waitForTimeout(500);
        acc = Number((await status.getAttribute("data-test-accuracy")) ?? 0);
      }
      await gpuPage.click("#moons-start");
      expect(errors).toEqual([]);
      figures.webgpu = {
        testAccuracy: acc,
        steps: Number(await status.getAttribute("data-steps")),
        batch: 128,
        usPerStepInPage: Number(await status.getAttribute("data-us-per-step")),
      };
      await gpuPage.locator("#moons-view").screenshot({ path: join(OUT, "moons-webgpu.png") });
    });
  }, 300_000);

  it("trains Fashion-MNIST on webgpu (SwiftShader): the accuracy Node gets on js for the same batches", async () => {
    await withWebGpuPage(async (gpuPage, errors) => {
      expect(await gpuPage.locator("#fashion-backend option").allTextContents()).toEqual([
        "js",
        "wasm",
        "webgpu",
      ]);
      await gpuPage.selectOption("#fashion-backend", "webgpu");
      await gpuPage.fill("#fashion-batches", String(GPU_FASHION_BATCHES));
      await gpuPage.click("#fashion-train");
      const status = gpuPage.locator("#fashion-status");
      const end = Date.now() + 300_000;
      while ((await status.getAttribute("data-state")) !== "trained") {
        if (Date.now() > end || (await status.getAttribute("data-state")) === "error")
          throw new Error(`fashion on webgpu: ${await status.textContent()}`);
        await gpuPage.waitForTimeout(500);
      }
      expect(await status.getAttribute("data-backend")).toBe("webgpu");
      const gpuAcc = Number(await status.getAttribute("data-test-accuracy"));
      expect(errors).toEqual([]);
      // The same run in Node on the js backend: the same seed, batches and Adam steps.
      const nodeAcc = await nodeFashionAccuracy(GPU_FASHION_BATCHES);
      expect(nodeAcc).toBeGreaterThan(0.5); // chance is 0.1
      expect(Math.abs(gpuAcc - nodeAcc)).toBeLessThanOrEqual(0.005);
      figures.fashionWebgpu = { batches: GPU_FASHION_BATCHES, testAccuracy: gpuAcc, nodeJs: nodeAcc };
      await gpuPage.locator("#fashion-view").screenshot({ path: join(OUT, "fashion-webgpu.png") });
    });
  }, 420_000);

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
