// The playground README's figures: gzip size of each package's main entry bundled for the browser, and the
// time per moons step in Node against the same code in headless Chromium:
//   1. the page itself (traced step, js and wasm; webgpu on SwiftShader with mini-batches),
//   2. the built ESM packages loaded with no bundler (test/native-esm), eager against traced, js backend.
// Usage: pnpm build && pnpm --filter playground measure [eager]   (the built dist files, as a user would;
// `eager` prints only table 2)
import { loadavg } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createWebGpuBackend } from "@chainrule/backend-webgpu";
import { jsBackend, setBackend } from "@chainrule/ndarray";
import { chromium, type Browser } from "playwright-core";
import { build, preview } from "vite";
import { selectBackend } from "../src/backends";
import { createMoonsRun, DEFAULT_MOONS, type MoonsConfig } from "../src/moons-core";
import { createDeviceMoonsRun } from "../src/moons-device";
import { bundleForBrowser, publicPackages, ROOT } from "../test/bundle";
import { timeSteps } from "../test/native-esm/step-timing.js";
import { serveNativeEsm } from "../test/static-server";

const STEPS = 12_000;
const GPU_STEPS = 40;
const GPU_MOONS: MoonsConfig = { ...DEFAULT_MOONS, batchSize: 128, lr: 3 };
const APP = join(ROOT, "apps/playground");

async function bundleSizes(): Promise<void> {
  console.log("| package | minified | gzip |\n| --- | ---: | ---: |");
  for (const { name, dir } of publicPackages()) {
    const { errors, bytes } = await bundleForBrowser(name, { fromSource: false, minify: true, from: dir });
    if (errors.length > 0) throw new Error(`${name}: ${errors[0]!.text}`);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`| ${name} | ${kb(bytes.length)} | ${kb(gzipSync(bytes).length)} |`);
  }
}

/** µs per step over the first `steps` steps of the page's own run (trace compile included, as in the page). */
async function nodeStep(backend: "js" | "wasm" | "webgpu"): Promise<number> {
  if (backend === "webgpu") {
    process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";
    setBackend(await createWebGpuBackend());
    const run = createDeviceMoonsRun(GPU_MOONS);
    const t0 = performance.now();
    for (let done = 0; done < GPU_STEPS; done += run.chunk) await run.steps(run.chunk);
    setBackend(jsBackend);
    return ((performance.now() - t0) * 1000) / GPU_STEPS;
  }
  await selectBackend(backend, { threads: 1 });
  const run = createMoonsRun(DEFAULT_MOONS);
  const t0 = performance.now();
  for (let done = 0; done < STEPS; done += 50) run.steps(50);
  return ((performance.now() - t0) * 1000) / STEPS;
}

const launch = (args: string[] = []) =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", ...args],
  });

/** The page's own µs/step readout after `steps` steps of the moons view on `backend`. */
async function pageStep(browser: Browser, url: string, backend: string, steps: number): Promise<number> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("moons-status")!.dataset.state !== undefined);
  if (backend === "webgpu") {
    await page.fill("#moons-batch", String(GPU_MOONS.batchSize));
    await page.fill("#moons-lr", String(GPU_MOONS.lr));
  }
  await page.selectOption("#moons-backend", backend);
  await page.waitForFunction(() => document.getElementById("moons-status")!.dataset.state === "ready");
  await page.click("#moons-start");
  await page.waitForFunction(
    (n) => Number(document.getElementById("moons-status")!.dataset.steps) >= n,
    steps,
    { timeout: 300_000, polling: 100 },
  );
  await page.click("#moons-start");
  const us = Number(await page.locator("#moons-status").getAttribute("data-us-per-step"));
  await page.close();
  return us;
}

async function inPage(): Promise<Record<string, number>> {
  await build({ root: APP, configFile: join(APP, "vite.config.ts"), logLevel: "warn" });
  const server = await preview({
    root: APP,
    configFile: join(APP, "vite.config.ts"),
    preview: { host: "127.0.0.1", port: 4329 },
  });
  const url = server.resolvedUrls!.local[0]!;
  const browser = await launch(["--enable-unsafe-webgpu"]);
  try {
    return {
      js: await pageStep(browser, url, "js", STEPS),
      wasm: await pageStep(browser, url, "wasm", STEPS),
      webgpu: await pageStep(browser, url, "webgpu", GPU_STEPS),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** test/native-esm/step-timing.js in the page (dist ESM, import map) and in Node: eager, eager in tidy, traced. */
async function eagerAgainstTraced(): Promise<void> {
  const server = await serveNativeEsm();
  const browser = await launch();
  const runs = 5;
  console.log(
    `\n| js backend, 5,000 steps after 2,000, median of ${runs} | Node µs/step | Chromium µs/step | page / Node |\n| --- | ---: | ---: | ---: |`,
  );
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById("result")!.dataset.state === "done");
    // MODES=eager,traced measures a build without tidy (the figures before the pool).
    const modes = (process.env.MODES ?? "eager,tidy,traced").split(",") as ("eager" | "tidy" | "traced")[];
    for (const mode of modes) {
      const inPage: number[] = [];
      const inNode: number[] = [];
      for (let r = 0; r < runs; r++) {
        inPage.push(
          await page.evaluate(
            // The page's own URL for the module (a plain string, so TypeScript leaves it alone).
            async ([m, file]) => (await import(file)).timeSteps(m, 5000) as number,
            [mode, "./step-timing.js"] as const,
          ),
        );
        inNode.push(timeSteps(mode, 5000));
      }
      const [n, c] = [median(inNode), median(inPage)];
      console.log(`| ${mode} | ${n.toFixed(0)} | ${c.toFixed(0)} | ${(c / n).toFixed(2)}× |`);
      console.log(
        `<!-- ${mode}: page/Node per run ${inPage.map((p, i) => (p / inNode[i]!).toFixed(2)).join(" ")} -->`,
      );
    }
    console.log(
      `load average: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(", ")}`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

const only = process.argv[2];
if (only === "eager") {
  await eagerAgainstTraced();
  process.exit(0);
}
await bundleSizes();
const page = await inPage();
console.log(`\n| backend | Node µs/step | Chromium µs/step | page / Node |\n| --- | ---: | ---: | ---: |`);
for (const backend of ["js", "wasm", "webgpu"] as const) {
  const node = await nodeStep(backend);
  console.log(
    `| ${backend} | ${node.toFixed(0)} | ${page[backend]!.toFixed(0)} | ${(page[backend]! / node).toFixed(2)}× |`,
  );
}
await eagerAgainstTraced();
process.exit(0);
