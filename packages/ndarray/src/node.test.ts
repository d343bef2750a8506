// writeFileAtomic / writeFileAtomicSync: a writer killed mid-save (SIGKILL after the data is written, before the
// rename) leaves the old file whole, and the next save removes its temporary file; nothing else is touched.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic, writeFileAtomicSync } from "./node";

const source = join(import.meta.dirname, "node.ts");
const tsx = join(import.meta.dirname, "../node_modules/tsx/dist/loader.mjs");
const fresh = () => mkdtempSync(join(tmpdir(), "chainrule-atomic-"));

/** Runs a save in a child process that SIGKILLs itself at the fsync, i.e. with the data written but not renamed. */
function crashMidSave(target: string, sync: boolean): number | null {
  const child = `
    import fs from "node:fs"; import * as fsp from "node:fs/promises"; import { syncBuiltinESMExports } from "node:module";
    import { writeFileAtomic, writeFileAtomicSync } from ${JSON.stringify(source)};
    const die = () => process.kill(process.pid, "SIGKILL");
    const h = await fsp.open(${JSON.stringify(source)}, "r"); Object.getPrototypeOf(h).sync = die; await h.close();
    fs.fsyncSync = die; syncBuiltinESMExports();
    ${sync ? "writeFileAtomicSync" : "await writeFileAtomic"}(${JSON.stringify(target)}, "new contents");`;
  try {
    execFileSync("node", ["--import", tsx, "--input-type=module", "-e", child], { stdio: "pipe" });
    return 0;
  } catch (e) {
    return (e as { status: number | null }).status;
  }
}

describe.each([
  ["writeFileAtomic", (p: string, d: string | Uint8Array) => writeFileAtomic(p, d), false],
  ["writeFileAtomicSync", async (p: string, d: string | Uint8Array) => writeFileAtomicSync(p, d), true],
] as const)("%s", (_, write, sync) => {
  it("writes a new file and replaces an existing one, leaving no temporary file", async () => {
    const dir = fresh();
    const path = join(dir, "a.bin");
    await write(path, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    await write(path, "text");
    expect(readFileSync(path, "utf8")).toBe("text");
    expect(readdirSync(dir)).toEqual(["a.bin"]);
  });

  it("a writer killed mid-save loses nothing, and the next save removes what it left", async () => {
    const dir = fresh();
    const path = join(dir, "model.safetensors");
    writeFileSync(path, "old contents");
    expect(crashMidSave(path, sync)).not.toBe(0);
    expect(readFileSync(path, "utf8")).toBe("old contents");
    const left = readdirSync(dir).filter((n) => n !== "model.safetensors");
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.model\.safetensors\.\d+\.[0-9a-f]+\.tmp$/);
    expect(readFileSync(join(dir, left[0]!), "utf8")).toBe("new contents");
    await write(path, "newer contents");
    expect(readFileSync(path, "utf8")).toBe("newer contents");
    expect(readdirSync(dir)).toEqual(["model.safetensors"]);
  }, 60_000);

  it("leaves a live writer's temporary file and other files alone", async () => {
    const dir = fresh();
    const path = join(dir, "x.json");
    const live = `.x.json.${process.pid}.abcdef.tmp`;
    for (const name of [live, ".y.json.1.ab.tmp", "x.json.bak"]) writeFileSync(join(dir, name), "keep");
    await write(path, "{}");
    expect(readdirSync(dir).sort()).toEqual(
      [".x.json." + process.pid + ".abcdef.tmp", ".y.json.1.ab.tmp", "x.json", "x.json.bak"].sort(),
    );
  });

  it("a save that fails removes its temporary file and keeps the existing target", async () => {
    const dir = fresh();
    const path = join(dir, "out");
    mkdirSync(path); // rename over a directory fails
    writeFileSync(join(path, "inside"), "kept");
    await expect(write(path, "data")).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["out"]);
    expect(readFileSync(join(path, "inside"), "utf8")).toBe("kept");
  });
});
