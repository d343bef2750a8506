// What the registry shows about each published package (repository, homepage, bugs, license, LICENSE) comes
// from the root package.json through scripts/package-meta.mjs; this fails when a package.json drifts from it.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./blocks";

const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const rootPkg = readJson(join(repoRoot, "package.json"));
const published = readdirSync(join(repoRoot, "packages"))
  .filter((d) => existsSync(join(repoRoot, "packages", d, "package.json")))
  .map((d) => ({ dir: d, pkg: readJson(join(repoRoot, "packages", d, "package.json")) }))
  .filter(({ pkg }) => !pkg.private);

describe("package metadata from one source (the root package.json)", () => {
  it("the root names the repository, homepage and issue tracker", () => {
    expect(rootPkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/[^/]+\/[^/]+\.git$/);
    expect(rootPkg.homepage).toBe(rootPkg.repository.url.replace(/^git\+/, "").replace(/\.git$/, ""));
    expect(rootPkg.bugs.url).toBe(`${rootPkg.homepage}/issues`);
  });
  it.each(published.map((p) => [p.pkg.name, p] as const))(
    "%s points at its own folder",
    (_, { dir, pkg }) => {
      expect(pkg.repository).toEqual({ ...rootPkg.repository, directory: `packages/${dir}` });
      expect(pkg.homepage).toBe(`${rootPkg.homepage}/tree/main/packages/${dir}#readme`);
      expect(pkg.bugs).toEqual(rootPkg.bugs);
      expect(pkg.license).toBe(rootPkg.license);
      expect(readFileSync(join(repoRoot, "packages", dir, "LICENSE"), "utf8")).toBe(
        readFileSync(join(repoRoot, "LICENSE"), "utf8"),
      );
    },
  );
  it("scripts/package-meta.mjs (which stamps them) finds no drift", () => {
    const out = execFileSync("node", [join(repoRoot, "scripts/package-meta.mjs")]).toString();
    expect(out).toMatch(/every published package carries/);
  });
});
