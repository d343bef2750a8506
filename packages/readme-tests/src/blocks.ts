// Finds the ```ts blocks of every README and writes each as a module the tests can type-check and import.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

export const repoRoot = join(import.meta.dirname, "../../..");

export interface Block {
  readme: string; // relative to the repository root
  /** `<readme>#<n>`: the n-th ```ts block of that README (stable when text elsewhere moves). */
  id: string;
  line: number; // of the opening fence, 1-based
  code: string;
  /** `ts no-run`: type-checked but not executed (the block's first comment says why). */
  noRun: boolean;
  file: string; // the module written for it
}

/** The root README, then packages/*, then apps/*. */
export function readmes(): string[] {
  const inDir = (dir: string) =>
    readdirSync(join(repoRoot, dir))
      .map((d) => join(dir, d, "README.md"))
      .filter((p) => existsSync(join(repoRoot, p)));
  return ["README.md", ...inDir("packages"), ...inDir("apps")];
}

const FENCE = /^```(ts|typescript)((?:[ \t][^\n]*)?)$/;

/** The ```ts blocks of one README (other languages, ```sh and so on, are not code to run). */
export function extractBlocks(readme: string, text: string): Omit<Block, "file">[] {
  const lines = text.split("\n");
  const out: Omit<Block, "file">[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = FENCE.exec(lines[i]!);
    if (!m) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]!);
    if (i === lines.length) throw new Error(`${readme}:${start + 1}: a \`\`\`ts block is never closed`);
    out.push({
      readme,
      id: `${readme}#${out.length + 1}`,
      line: start + 1,
      code: body.join("\n"),
      noRun: /\bno-run\b/.test(m[2]!),
    });
  }
  return out;
}

/** Writes every block under `dir` (emptied first) as `<readme>-<line>.ts`, a module of its own. */
export function writeBlocks(dir: string): Block[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const blocks: Block[] = [];
  for (const readme of readmes()) {
    const text = readFileSync(join(repoRoot, readme), "utf8");
    for (const b of extractBlocks(readme, text)) {
      const name = `${readme.replace(/\/README\.md$|\.md$/, "").replace(/[^A-Za-z0-9]+/g, "-")}-L${b.line}.ts`;
      const file = join(dir, name);
      // `export {}` makes it a module: its names stay its own and top-level await works.
      writeFileSync(file, `${b.code}\nexport {};\n`);
      blocks.push({ ...b, file });
    }
  }
  return blocks;
}

export const describeBlock = (b: Block) => `${b.id} (line ${b.line})`;
export const rel = (p: string) => relative(repoRoot, p);
