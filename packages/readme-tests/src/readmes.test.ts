// Every ```ts block of every README is type-checked (all in one tsc program) and run (all in this process),
// so that stale text fails CI. A block marked ```ts no-run is only type-checked. The ```text output blocks after a
// ts block (before the next one) are what it must print with console.log, joined.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";
import { describe, expect, it, vi } from "vitest";
import { describeBlock, readmes, repoRoot, writeBlocks, type Block } from "./blocks";
import { PENDING } from "./pending";

// The backend-webgpu README runs on SwiftShader when the machine names no Vulkan driver (see its README).
process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";

const blocks = writeBlocks(join(import.meta.dirname, "../.blocks"));

function typeErrors(files: Block[]): Map<string, string[]> {
  const base = ts.readConfigFile(join(repoRoot, "tsconfig.base.json"), ts.sys.readFile).config;
  const { options } = ts.convertCompilerOptionsFromJson(
    // README blocks are user code: `strict` as a new project has it, without our own noUncheckedIndexedAccess.
    {
      ...base.compilerOptions,
      noUncheckedIndexedAccess: false,
      noEmit: true,
      types: ["node"],
      declaration: false,
    },
    repoRoot,
  );
  const program = ts.createProgram(
    files.map((b) => b.file),
    options,
  );
  const byFile = new Map<string, string[]>();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (!d.file) continue;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const list = byFile.get(d.file.fileName) ?? [];
    list.push(`line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    byFile.set(d.file.fileName, list);
  }
  return byFile;
}

describe("README code blocks", () => {
  it("finds the READMEs and their blocks", () => {
    expect(readmes()).toContain("README.md");
    expect(readmes()).toContain("packages/ndarray/README.md");
    expect(blocks.length).toBeGreaterThan(20);
  });

  const errors = typeErrors(blocks);
  for (const b of blocks) {
    describe(describeBlock(b), () => {
      if (PENDING.has(b.id)) {
        it.fails("is still stale (see pending.ts)", async () => {
          expect(errors.get(b.file) ?? []).toEqual([]);
          if (!b.noRun) await import(b.file);
        });
        return;
      }
      it("type-checks", () => {
        expect(errors.get(b.file) ?? []).toEqual([]);
      });
      it.skipIf(b.noRun)(
        b.output === undefined ? "runs" : "runs and prints its ```text output blocks",
        async () => {
          if (b.output === undefined) return void (await import(b.file));
          const printed: string[] = [];
          const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
            printed.push(args.map(String).join(" "));
          });
          try {
            await import(b.file);
          } finally {
            spy.mockRestore();
          }
          expect(printed.join("\n").trimEnd()).toBe(b.output.trimEnd());
        },
      );
    });
  }
  it("lists only blocks that exist as pending", () => {
    const ids = new Set(blocks.map((b) => b.id));
    expect([...PENDING].filter((id) => !ids.has(id))).toEqual([]);
  });
});

describe("package READMEs", () => {
  // The first code block a reader meets is one they can paste and run: a ```ts block, not marked no-run.
  // Published packages only: app-kit and bench are private and used from source inside this repository.
  const published = readmes().filter(
    (r) =>
      r.startsWith("packages/") &&
      !JSON.parse(readFileSync(join(repoRoot, dirname(r), "package.json"), "utf8")).private,
  );
  for (const readme of published) {
    it(`${readme} opens with a runnable example`, () => {
      const first = blocks.find((b) => b.readme === readme);
      expect(first, "no ```ts block").toBeDefined();
      expect(first!.noRun).toBe(false);
    });
  }
});

describe("the root README", () => {
  const text = readFileSync(join(repoRoot, "README.md"), "utf8");
  // Every workspace package and app has its row, linked to its folder.
  const dirs = ["packages", "apps"].flatMap((d) =>
    readdirSync(join(repoRoot, d))
      .filter((name) => existsSync(join(repoRoot, d, name, "package.json")))
      .map((name) => `${d}/${name}`),
  );
  it.each(dirs)("lists %s", (dir) => {
    expect(text).toContain(`](${dir})`);
  });
});
