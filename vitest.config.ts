import { defineConfig } from "vitest/config";

// Tests import workspace packages from their TypeScript sources through the custom
// "@chainrule/source" export condition, so nothing has to be built first.
export default defineConfig({
  ssr: { resolve: { conditions: ["@chainrule/source", "module", "node", "development|production"] } },
  resolve: { conditions: ["@chainrule/source", "module", "node", "development|production"] },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "apps/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "apps/*/test/**/*.test.ts",
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    setupFiles: ["./vitest.setup.ts"],
  },
});
