// Where an eager moons step spends its time, in Chromium and in Node: a CPU profile of
// test/native-esm/step-timing.js (`timeSteps(mode, n)`), self time per function, top rows.
// Usage: pnpm build && pnpm --filter playground exec tsx scripts/profile-eager.ts [eager|traced] [steps]
import { Session } from "node:inspector/promises";
import { chromium } from "playwright-core";
import { timeSteps } from "../test/native-esm/step-timing.js";
import { serveNativeEsm } from "../test/static-server";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const mode = (process.argv[2] ?? "eager") as "eager" | "tidy" | "traced";
const steps = Number(process.argv[3] ?? 3000);

function table(label: string, profile: Profile, us: number): void {
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const key = `${f.functionName || "(anon)"} ${f.url.split("/").slice(-3).join("/")}:${f.lineNumber + 1}`;
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  console.log(`\n== ${label}: ${us.toFixed(0)} µs/step, profile ${(total / 1000).toFixed(0)} ms ==`);
  [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 35)
    .forEach(([k, t]) => console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`));
}

const server = await serveNativeEsm();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.getElementById("result")!.dataset.state === "done");
  await page.evaluate(async ([m, file]) => (await import(file as string)).timeSteps(m, 500), [
    mode,
    "./step-timing.js",
  ] as const);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  const us = await page.evaluate(
    async ([m, file, n]) => (await import(file as string)).timeSteps(m, n, 0) as number,
    [mode, "./step-timing.js", steps] as const,
  );
  const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: Profile };
  table(`Chromium ${mode}`, profile, us);

  timeSteps(mode, 500);
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  const nodeUs = timeSteps(mode, steps, 0);
  const { profile: nodeProfile } = (await session.post("Profiler.stop")) as unknown as { profile: Profile };
  table(`Node ${mode}`, nodeProfile, nodeUs);
} finally {
  await browser.close();
  await server.close();
}
process.exit(0);
