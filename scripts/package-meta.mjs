// One source for what the registry shows about every published package: `repository`, `homepage`, `bugs`
// and `license` come from the root package.json (repository.directory per package), and each tarball's
// LICENSE is a copy of the root one. `node scripts/package-meta.mjs` reports drift and exits 1;
// `--write` stamps the fields and copies the LICENSE. A test runs the check (scripts/package-meta.test.ts
// through packages/readme-tests), and check:packs verifies the packed package.json files carry them.
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

/** The published packages: `{ dir, relDir, file, pkg }` for each non-private package under packages/. */
export function publishedPackages() {
  return readdirSync(join(root, "packages"))
    .map((d) => ({ dir: join(root, "packages", d), relDir: `packages/${d}` }))
    .filter(({ dir }) => existsSync(join(dir, "package.json")))
    .map((p) => ({ ...p, file: join(p.dir, "package.json"), pkg: readJson(join(p.dir, "package.json")) }))
    .filter(({ pkg }) => !pkg.private);
}

/** The fields one package must carry, derived from the root package.json. */
export function expectedMeta(relDir) {
  const { repository, homepage, bugs, license } = readJson(join(root, "package.json"));
  return {
    license,
    repository: { ...repository, directory: relDir },
    homepage: `${homepage}/tree/main/${relDir}#readme`,
    bugs,
  };
}

/** Every way a published package differs from what the root says (an empty list: none). */
export function metaDrift() {
  const license = readFileSync(join(root, "LICENSE"), "utf8");
  const problems = [];
  for (const { dir, relDir, pkg } of publishedPackages()) {
    for (const [key, want] of Object.entries(expectedMeta(relDir)))
      if (JSON.stringify(pkg[key]) !== JSON.stringify(want))
        problems.push(`${pkg.name}: ${key} is ${JSON.stringify(pkg[key])}, expected ${JSON.stringify(want)}`);
    const own = join(dir, "LICENSE");
    if (!existsSync(own) || readFileSync(own, "utf8") !== license)
      problems.push(`${pkg.name}: ${relDir}/LICENSE is missing or differs from the root LICENSE`);
  }
  return problems;
}

/** Stamps the fields (right after `description`, the rest in its order) and copies the root LICENSE. */
export function writeMeta() {
  for (const { dir, relDir, file, pkg } of publishedPackages()) {
    const meta = expectedMeta(relDir);
    const out = {};
    for (const [key, value] of Object.entries(pkg)) {
      if (key in meta) continue;
      out[key] = value;
      if (key === "description") Object.assign(out, meta);
    }
    writeFileSync(file, JSON.stringify({ ...out, ...meta }, null, 2) + "\n");
    copyFileSync(join(root, "LICENSE"), join(dir, "LICENSE"));
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  if (process.argv.includes("--write")) writeMeta();
  const problems = metaDrift();
  for (const p of problems) console.error(`package-meta: ${p}`);
  if (problems.length > 0) {
    console.error("package-meta: run `node scripts/package-meta.mjs --write` to stamp them from the root");
    process.exit(1);
  }
  console.log(
    "package-meta: every published package carries the root's repository, homepage, bugs and LICENSE",
  );
}
