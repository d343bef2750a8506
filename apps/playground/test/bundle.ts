// Bundles one package's main entry for the browser with esbuild, the way a web app's bundler would.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Message } from "esbuild";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Every workspace package with a public main entry (private app helpers such as app-kit are Node CLIs). */
export function publicPackages(): { name: string; dir: string }[] {
  const dir = join(ROOT, "packages");
  return readdirSync(dir)
    .map((d) => ({ dir: join(dir, d), pkg: JSON.parse(readFileSync(join(dir, d, "package.json"), "utf8")) }))
    .filter(({ pkg }) => pkg.private !== true && pkg.exports?.["."] !== undefined)
    .map(({ dir, pkg }) => ({ name: pkg.name as string, dir }));
}

export interface BrowserBundle {
  errors: Message[];
  bytes: Uint8Array;
}

/**
 * `import * as m from "<name>"` bundled for a browser (platform "browser": Node builtins do not resolve).
 * `fromSource` resolves workspace packages to their TypeScript sources; otherwise to the built dist files.
 * `from` is the directory to resolve from: a package's own directory imports it by name (self-reference).
 */
export async function bundleForBrowser(
  name: string,
  options: { fromSource: boolean; minify?: boolean; from?: string },
): Promise<BrowserBundle> {
  const result = await build({
    stdin: {
      contents: `export * from ${JSON.stringify(name)};`,
      resolveDir: options.from ?? join(ROOT, "apps/playground"),
      loader: "js",
    },
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: options.minify ?? false,
    write: false,
    logLevel: "silent",
    conditions: options.fromSource ? ["@chainrule/source"] : [],
  }).catch((e: { errors?: Message[] }) => ({ errors: e.errors ?? [], outputFiles: [] }));
  return { errors: result.errors, bytes: result.outputFiles?.[0]?.contents ?? new Uint8Array() };
}

export const formatErrors = (errors: Message[]) =>
  errors.map((e) => `${e.location?.file ?? "?"}:${e.location?.line ?? "?"}: ${e.text}`).join("\n");
