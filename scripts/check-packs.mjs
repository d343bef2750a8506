// Packs every publishable package, installs the tarballs into a fresh directory with npm, and
// imports each one from both ESM and CJS, as a user who installs from the registry would.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectedMeta, publishedPackages } from "./package-meta.mjs";

const root = new URL("..", import.meta.url).pathname;
const pkgs = publishedPackages();

const work = mkdtempSync(join(tmpdir(), "chainrule-packs-"));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"] }).toString();
try {
  const tarballs = pkgs.map(({ dir }) => {
    const out = run("pnpm", ["pack", "--pack-destination", work], dir).trim().split("\n").pop();
    return out.startsWith("/") ? out : join(work, out);
  });
  const app = join(work, "app");
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "pack-check", private: true }));
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs], app);
  for (const { pkg } of pkgs) {
    const cjs = run(
      "node",
      ["-e", `const m = require(${JSON.stringify(pkg.name)}); console.log(Object.keys(m).length)`],
      app,
    );
    const esm = run(
      "node",
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(pkg.name)}); console.log(Object.keys(m).length)`,
      ],
      app,
    );
    if (!(Number(cjs) > 0 && Number(esm) > 0))
      throw new Error(`${pkg.name}: empty exports (cjs ${cjs}, esm ${esm})`);
    console.log(`check-packs: ${pkg.name} ok (ESM ${esm.trim()} exports, CJS ${cjs.trim()} exports)`);
  }
  checkSameOutput(app);
  for (const { pkg } of pkgs)
    if (!existsSync(join(app, "node_modules", pkg.name, "LICENSE")))
      throw new Error(`${pkg.name}: no LICENSE in the tarball`);
  console.log(`check-packs: every tarball holds its LICENSE`);
  checkPackedMeta(app);
  checkNode10Types(app);
  checkPublishDryRun();
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Runs scripts/check-packs/same-output.cjs under require() and under import(): the two must print alike. */
function checkSameOutput(app) {
  copyFileSync(join(root, "scripts/check-packs/same-output.cjs"), join(app, "same-output.cjs"));
  const cjs = run(
    "node",
    ["-e", `require("./same-output.cjs").sameOutput(async (n) => require(n)).then(console.log)`],
    app,
  );
  const esm = run(
    "node",
    [
      "--input-type=module",
      "-e",
      `import { createRequire } from "node:module";
       const { sameOutput } = createRequire(process.cwd() + "/")("./same-output.cjs");
       console.log(await sameOutput((n) => import(n)));`,
    ],
    app,
  );
  if (cjs !== esm) {
    const a = cjs.split("\n");
    const b = esm.split("\n");
    const i = a.findIndex((line, k) => line !== b[k]);
    throw new Error(`ESM and CJS print differently at line ${i + 1}:\n  CJS: ${a[i]}\n  ESM: ${b[i]}`);
  }
  if (/_class\d*/.test(cjs)) throw new Error(`a class lost its name under CJS:\n${cjs}`);
  const renamed = [...cjs.matchAll(/^class (\S+) named (\S*)$/gm)].filter(([, key, name]) => key !== name);
  if (renamed.length > 0)
    throw new Error(`exported classes lost their names: ${renamed.map((m) => m[0]).join("; ")}`);
  console.log(
    `check-packs: the same program prints the same ${cjs.split("\n").length} lines under ESM and CJS`,
  );
}

/** The packed package.json (as installed) carries the root's repository (with its folder), homepage, bugs. */
function checkPackedMeta(app) {
  for (const { relDir, pkg } of pkgs) {
    const packed = JSON.parse(readFileSync(join(app, "node_modules", pkg.name, "package.json"), "utf8"));
    for (const [key, want] of Object.entries(expectedMeta(relDir)))
      if (JSON.stringify(packed[key]) !== JSON.stringify(want))
        throw new Error(
          `${pkg.name}: the packed package.json has ${key} ${JSON.stringify(packed[key])}, expected ${JSON.stringify(want)} (node scripts/package-meta.mjs --write)`,
        );
  }
  console.log("check-packs: every packed package.json names the repository, its folder, homepage and bugs");
}

/** `@chainrule/nn/node` must resolve its types under the old `moduleResolution: node10` (typesVersions). */
function checkNode10Types(app) {
  writeFileSync(
    join(app, "node10.ts"),
    `import { loadSafetensorsFile } from "@chainrule/nn/node";\nimport { Sequential } from "@chainrule/nn";\n` +
      `export const f: (m: Sequential, path: string) => Promise<unknown> = loadSafetensorsFile;\n`,
  );
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  run(
    "node",
    [
      tsc,
      "--noEmit",
      "--strict",
      "--skipLibCheck",
      "--module",
      "commonjs",
      "--moduleResolution",
      "node10",
      "node10.ts",
    ],
    app,
  );
  console.log("check-packs: @chainrule/nn/node type-checks under moduleResolution node10");
}

/** What `pnpm release` would publish: `pnpm publish --dry-run` of every public package. */
function checkPublishDryRun() {
  for (const { dir } of pkgs) run("pnpm", ["publish", "--dry-run", "--no-git-checks"], dir);
  console.log(`check-packs: pnpm publish --dry-run passes for ${pkgs.length} packages`);
}
