// What every @chainrule package's tsup config shares for the dual-package hazard (ESM and CJS in one process).
import { readFileSync, writeFileSync } from "node:fs";
import type { Options } from "tsup";

/**
 * Stamps `__CHAINRULE_COPY__` (name, version, esm|cjs) into each build, so that a value from another copy of
 * the package is reported as exactly that (`brandClass` in @chainrule/ndarray's src/copies.ts).
 */
export function stampCopy(packageJson: URL): NonNullable<Options["esbuildOptions"]> {
  const { name, version } = JSON.parse(readFileSync(packageJson, "utf8")) as {
    name: string;
    version: string;
  };
  return (options, { format }) => {
    options.define = {
      ...options.define,
      __CHAINRULE_COPY__: JSON.stringify({ package: name, version, format }),
    };
  };
}

/**
 * Under Node, `import` loads `dist/<entry>.node.mjs`, a wrapper around the CJS build (the "node" export
 * condition), so that `import` and `require` share one copy: one backend setting, one class of each.
 */
export function nodeWrappers(entries: readonly string[]): () => Promise<void> {
  return async () => {
    for (const entry of entries) writeFileSync(`dist/${entry}.node.mjs`, `export * from "./${entry}.cjs";\n`);
  };
}
