// The playground README's figures: gzip size of each package's main entry bundled for the browser, and the
// time per moons step in Node against the same step in the page (headless Chromium), js and wasm backends.
// Usage: pnpm build && pnpm --filter playground measure   (uses the built dist files, as a user would)
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { build, preview } from "vite";
import { selectBackend, type BackendName } from "../src/backends";
import { createMoonsRun, DEFAULT_MOONS } from "../src/moons-core";
import { bundleForBrowser, publicPackages, ROOT } from "../test/bundle";

const STEPS = 12_000;
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

/** µs per step over the first STEPS steps (trace compile included, as in the page). */
async function nodeStep(backend: BackendName): Promise<number> {
  await selectBackend(backend, { threads: 1 });
  const run = createMoonsRun(DEFAULT_MOONS);
  const t0 = performance.now();
  for (let done = 0; done < STEPS; done += 50) run.steps(50);
  return ((performance.now() - t0) * 1000) / STEPS;
}

async function pageStep(backends: BackendName[]): Promise<Record<string, number>> {
  await build({ root: APP, configFile: join(APP, "vite.config.ts"), logLevel: "warn" });
  const server = await preview({
    root: APP,
    configFile: join(APP, "vite.config.ts"),
    preview: { host: "127.0.0.1", port: 4329 },
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  const result: Record<string, number> = {};
  try {
    const page = await browser.newPage();
    for (const backend of backends) {
      await page.goto(server.resolvedUrls!.local[0]!);
      await page.selectOption("#moons-backend", backend);
      await page.waitForFunction(() => document.getElementById("moons-status")!.dataset.state === "ready");
      await page.click("#moons-start");
      await page.waitForFunction(
        (n) => Number(document.getElementById("moons-status")!.dataset.steps) >= n,
        STEPS,
        { timeout: 300_000 },
      );
      await page.click("#moons-start");
      result[backend] = Number(
        await page.locator("#moons-status").evaluate((el) => (el as HTMLElement).dataset.usPerStep),
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return result;
}

await bundleSizes();
const inPage = await pageStep(["js", "wasm"]);
console.log(`\n| backend | Node µs/step | Chromium µs/step | page / Node |\n| --- | ---: | ---: | ---: |`);
for (const backend of ["js", "wasm"] as const) {
  const node = await nodeStep(backend);
  console.log(
    `| ${backend} | ${node.toFixed(0)} | ${inPage[backend]!.toFixed(0)} | ${(inPage[backend]! / node).toFixed(2)}× |`,
  );
}
process.exit(0);
