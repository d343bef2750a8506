import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/** Where a search directory came from, for messages. */
export type DirOrigin = "dir option" | "CHAINRULE_DATA_DIR" | "cache" | "system";

export interface SearchDir {
  path: string;
  origin: DirOrigin;
}

/** `$XDG_CACHE_HOME/chainrule`, else `~/.cache/chainrule` (a relative XDG_CACHE_HOME is ignored, per the spec). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache"), "chainrule");
}

/**
 * The directories to look in for the dataset stored under `subdir`, in order: the explicit dir,
 * `$CHAINRULE_DATA_DIR/<subdir>`, `<cache dir>/<subdir>`, then system dirs (OS packages).
 */
export function searchDirs(
  subdir: string,
  options: { dir?: string; cacheDir?: string },
  systemDirs: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): SearchDir[] {
  const dirs: SearchDir[] = [];
  if (options.dir) dirs.push({ path: options.dir, origin: "dir option" });
  if (env.CHAINRULE_DATA_DIR)
    dirs.push({ path: join(env.CHAINRULE_DATA_DIR, subdir), origin: "CHAINRULE_DATA_DIR" });
  dirs.push({ path: datasetCacheDir(subdir, options.cacheDir, env), origin: "cache" });
  for (const path of systemDirs) dirs.push({ path, origin: "system" });
  return dirs;
}

/** `<cacheDir or the default cache dir>/<subdir>`: where downloads go. */
export function datasetCacheDir(
  subdir: string,
  cacheDir?: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return join(cacheDir ?? defaultCacheDir(env), subdir);
}

/** The first of `names` that exists in the first directory that has one, or undefined. */
export function findFile(
  dirs: readonly SearchDir[],
  names: readonly string[],
): (SearchDir & { file: string }) | undefined {
  for (const dir of dirs) {
    for (const name of names) {
      const file = join(dir.path, name);
      if (existsSync(file)) return { ...dir, file };
    }
  }
  return undefined;
}

export function describeDirs(dirs: readonly SearchDir[]): string {
  return dirs.map((d) => `${d.path} (${d.origin})`).join(", ");
}
