import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is packages/datasets/src/test-support/real-data.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
export const CAT_DIR = resolve(REPO_ROOT, "../shared/datasets/catvnoncat");

/** Real-data tests run unless CHAINRULE_SKIP_REAL_DATA=1: missing data is a failure, not a skip (CI installs it). */
export const SKIP_REAL_DATA = process.env.CHAINRULE_SKIP_REAL_DATA === "1";

/** Which of `files` are missing, with a message saying how to get them or opt out. */
export function missingDataMessage(files: readonly string[], howToGet: string): string | undefined {
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length === 0) return undefined;
  return `real data missing: ${missing.join(", ")}. ${howToGet} (or set CHAINRULE_SKIP_REAL_DATA=1 to skip these tests)`;
}
