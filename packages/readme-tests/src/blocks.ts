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
  /** The ```text output blocks after it (before the next ```ts block), joined: what it must print. */
  output?: string;
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
const OUTPUT_FENCE = /^```text[ \t]+output[ \t]*$/;

/** The ```ts blocks of one README (other languages, ```sh and so on, are not code to run). */
export function extractBlocks(readme: string, text: string): Omit<Block, "file">[] {
  const lines = text.split("\n");
  const out: Omit<Block, "file">[] = [];
  const readBody = (from: number): [string[], number] => {
    const body: string[] = [];
    let i = from + 1;
    for (; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]!);
    if (i === lines.length) throw new Error(`${readme}:${from + 1}: a code block is never closed`);
    return [body, i];
  };
  for (let i = 0; i < lines.length; i++) {
    if (OUTPUT_FENCE.test(lines[i]!)) {
      const [body, end] = readBody(i);
      const last = out[out.length - 1];
      if (!last || last.noRun)
        throw new Error(`${readme}:${i + 1}: a \`\`\`text output block needs a runnable ts block before it`);
      last.output = last.output === undefined ? body.join("\n") : `${last.output}\n${body.join("\n")}`;
      i = end;
      continue;
    }
    const m = FENCE.exec(lines[i]!);
    if (!m) continue;
    const start = i;
    const [body, end] = readBody(i);
    i = end;
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
