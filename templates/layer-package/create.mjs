#!/usr/bin/env node
// Creates a new layer package from ./files in one step:
//
//   node templates/layer-package/create.mjs <name> [--class <ClassName>] [--description "<one line>"]
//
// writes packages/layer-<name>/ (package.json, tsup config, tsconfig, README, src/ with a starter layer, its
// tests and the public-API test) and .changeset/layer-<name>-initial.md. Nothing existing is overwritten.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expectedMeta } from "../../scripts/package-meta.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const templateDir = join(here, "files");

const usage = `usage: node templates/layer-package/create.mjs <name> [--class <ClassName>] [--description "<text>"]

  <name>         kebab-case, without the layer- prefix: "group-norm" creates packages/layer-group-norm
                 (@chainrule/layer-group-norm) with the class GroupNorm
  --class        the layer's class name (default: <name> in PascalCase, e.g. LayerNorm)
  --description  one line for package.json, the README and the changeset
  --root         the workspace to write into (default: this checkout)`;

function fail(message) {
  console.error(`create-layer: ${message}\n\n${usage}`);
  process.exit(1);
}

function parseArgs(argv) {
  const out = { positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      console.log(usage);
      process.exit(0);
    }
    if (a.startsWith("--")) {
      const [key, inline] = a.slice(2).split("=", 2);
      const value = inline ?? argv[++i];
      if (value === undefined) fail(`--${key} needs a value`);
      out[key] = value;
    } else out.positional.push(a);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
for (const key of Object.keys(args)) {
  if (!["positional", "class", "description", "root"].includes(key)) fail(`unknown option --${key}`);
}
if (args.positional.length !== 1) fail("give exactly one package name");
const name = args.positional[0];
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) fail(`'${name}' is not a kebab-case name`);
const className = args.class ?? name.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase());
if (!/^[A-Z][A-Za-z0-9]*$/.test(className)) fail(`'${className}' is not a PascalCase class name`);
const fnName = className[0].toLowerCase() + className.slice(1);
const description = (args.description ?? `The ${className} layer for @chainrule/nn.`)
  .replace(/\s+/g, " ")
  .trim();
const workspace = args.root ?? root;

const pkgDir = join(workspace, "packages", `layer-${name}`);
const changeset = join(workspace, ".changeset", `layer-${name}-initial.md`);
for (const p of [pkgDir, changeset]) {
  if (existsSync(p)) fail(`${relative(workspace, p)} already exists; nothing was written`);
}

const fill = (text) =>
  text
    .replaceAll("__name__", name)
    .replaceAll("__Layer__", className)
    .replaceAll("__layer__", fnName)
    .replaceAll("__description__", description.replaceAll('"', '\\"'));
// The description goes into JSON too; in Markdown an escaped quote would show, so unescape there.
const fillMarkdown = (text) => fill(text).replaceAll('\\"', '"');

const written = [];
function copy(from, to) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    if (entry.isDirectory()) {
      copy(src, join(to, entry.name));
      continue;
    }
    if (from === templateDir && entry.name === "changeset.md") continue;
    const text = readFileSync(src, "utf8");
    const dest = join(to, fill(entry.name));
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, entry.name.endsWith(".md") ? fillMarkdown(text) : fill(text));
    written.push(dest);
  }
}
copy(templateDir, pkgDir);
stampMeta(pkgDir);

/** repository/homepage/bugs/license from this checkout's root package.json, and its LICENSE (scripts/package-meta.mjs). */
function stampMeta(dir) {
  const file = join(dir, "package.json");
  const pkg = JSON.parse(readFileSync(file, "utf8"));
  const meta = expectedMeta(relative(workspace, dir));
  const out = {};
  for (const [key, value] of Object.entries(pkg)) {
    if (key in meta) continue;
    out[key] = value;
    if (key === "description") Object.assign(out, meta);
  }
  writeFileSync(file, JSON.stringify({ ...out, ...meta }, null, 2) + "\n");
  copyFileSync(join(root, "LICENSE"), join(dir, "LICENSE"));
  written.push(join(dir, "LICENSE"));
}
mkdirSync(dirname(changeset), { recursive: true });
writeFileSync(changeset, fillMarkdown(readFileSync(join(templateDir, "changeset.md"), "utf8")));
written.push(changeset);

console.log(`created @chainrule/layer-${name} (class ${className}):`);
for (const f of written) console.log(`  ${relative(workspace, f)}`);
const testCmd = `pnpm vitest run packages/layer-${name}`;
console.log(`
next:
  ${"pnpm install".padEnd(testCmd.length)}  # links the new workspace package
  ${testCmd}  # the starter tests pass as generated
  ${`pnpm prettier --write packages/layer-${name}`.padEnd(testCmd.length)}  # after renaming, lines may need rewrapping
  then replace src/layer.ts with your layer, keep its tests honest (checkGrads, reference loops),
  and edit the README and the changeset. See CONTRIBUTING.md, "Writing a layer package".`);
