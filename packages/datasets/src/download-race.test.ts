// Issue 19: several processes downloading one file into one cache all succeed, and nothing is left over.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-support/http-fixture";
import { useTempDirs } from "./test-support/temp-dir";

const here = dirname(fileURLToPath(import.meta.url));
const tsx = resolve(here, "../node_modules/.bin/tsx");
const child = join(here, "test-support/download-child.ts");
const body = Uint8Array.from({ length: 400_000 }, (_, i) => (i * 2654435761) >>> 24);
const sha256 = createHash("sha256").update(body).digest("hex");

interface Run {
  code: number | null;
  stderr: string;
}

/** Starts a child and resolves once it says it is ready; `finished` resolves when it exits. */
function start(url: string, dest: string): Promise<{ proc: ChildProcess; finished: Promise<Run> }> {
  const proc = spawn(tsx, [child, url, dest, sha256], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const finished = new Promise<Run>((done) => proc.on("exit", (code) => done({ code, stderr })));
  return new Promise((ready, fail) => {
    proc.stdout!.once("data", () => ready({ proc, finished }));
    proc.on("exit", () => fail(new Error(`child exited before it was ready: ${stderr}`)));
  });
}

describe("several processes downloading into one cache", () => {
  let server: TestServer;
  const tempDir = useTempDirs();
  beforeAll(async () => {
    // 16 KB every 10 ms: about a quarter second per download, so the processes overlap.
    server = await startTestServer({
      "/file.bin": { body, behaviour: "trickle", trickleMs: 10, chunkBytes: 16_384 },
    });
  });
  afterAll(() => server.close());

  it.each([
    ["an empty cache", false],
    ["a stale partial from a killed run", true],
  ])("3 processes from %s all succeed with the verified file", { timeout: 60_000 }, async (_, stale) => {
    const dir = tempDir();
    const dest = join(dir, "file.bin");
    // A partial a killed process left (pid 2^22 + 1 is above Linux's default pid_max, so never alive).
    if (stale) writeFileSync(join(dir, `.file.bin.${2 ** 22 + 1}.0123ab.part`), body.subarray(0, 100_000));
    const children = await Promise.all([1, 2, 3].map(() => start(`${server.url}/file.bin`, dest)));
    for (const c of children) c.proc.stdin!.end("go\n");
    const runs = await Promise.all(children.map((c) => c.finished));
    expect(runs).toEqual(runs.map(() => ({ code: 0, stderr: "" })));
    expect(createHash("sha256").update(readFileSync(dest)).digest("hex")).toBe(sha256);
    expect(readdirSync(dir)).toEqual(["file.bin"]);
  });
});
