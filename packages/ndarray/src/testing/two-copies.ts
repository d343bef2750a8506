// For the dual-package tests: real Node processes on the built packages (dist/), as users load them.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The packages folder of this repository. */
export const packagesDir = join(import.meta.dirname, "../../..");

/** A package's ESM build, loaded by path: a second copy beside the one `require` and `import` share. */
export const esmBuild = (pkg: string, entry = "index"): string =>
  JSON.stringify(join(packagesDir, pkg, "dist", `${entry}.js`));

/** Builds the given packages (folder names) when this checkout has not built them yet. */
export function ensureBuilt(pkgs: readonly string[]): void {
  const missing = pkgs.filter((p) => !existsSync(join(packagesDir, p, "dist", "index.node.mjs")));
  if (missing.length === 0) return;
  const filters = pkgs.flatMap((p) => ["--filter", `@chainrule/${p}...`]);
  execFileSync("pnpm", [...filters, "run", "build"], { cwd: packagesDir, stdio: "ignore" });
}

/**
 * Runs an ES module program with plain Node (no source condition) from `pkg`'s folder, with `require` bound
 * there too; returns its stdout.
 */
export function runNode(pkg: string, program: string): string {
  const here = join(packagesDir, pkg) + "/";
  const prelude = `import { createRequire } from "node:module"; const require = createRequire(${JSON.stringify(here)});\n`;
  try {
    return execFileSync("node", ["--input-type=module", "-e", prelude + program], { cwd: here })
      .toString()
      .trim();
  } catch (e) {
    throw new Error(`node failed:\n${(e as { stderr?: Buffer }).stderr?.toString()}`);
  }
}

/** A program body whose error (or "no error") is printed as `Name: message`. */
export const reportError = (body: string): string =>
  `try { ${body}; console.log("no error"); } catch (e) { console.log(e.constructor.name + ": " + e.message); }`;

/** The part of the message that names both copies: `other` built from `pkg` beside the `mine` build. */
export const copiesPattern = (pkg: string, other = "esm", mine = "cjs"): RegExp =>
  new RegExp(
    `another copy of ${pkg.replace("/", "\\/")} \\(version [^,]+, ${other} build\\) than the one this code uses ` +
      `\\(version [^,]+, ${mine} build\\).*npm ls ${pkg.replace("/", "\\/")}.*npm dedupe`,
  );
