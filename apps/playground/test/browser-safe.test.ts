// Every package's main entry must bundle for browsers: no node: builtins, no native modules. Node-only
// helpers belong behind a `/node` subpath (@chainrule/nn/node, @chainrule/datasets/node, @chainrule/plot/node).
import { describe, expect, it } from "vitest";
import { bundleForBrowser, formatErrors, publicPackages } from "./bundle";

describe("main entries bundle for the browser", () => {
  const packages = publicPackages();

  it("finds the workspace's packages", () => {
    expect(packages.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        "@chainrule/ndarray",
        "@chainrule/datasets",
        "@chainrule/train",
        "@chainrule/plot",
      ]),
    );
  });

  it.each(packages)("$name", async ({ name, dir }) => {
    const { errors, bytes } = await bundleForBrowser(name, { fromSource: true, from: dir });
    expect(formatErrors(errors)).toBe("");
    expect(bytes.length).toBeGreaterThan(0);
  });

  it("a /node entry does not bundle for the browser (so the check above can fail)", async () => {
    const { errors } = await bundleForBrowser("@chainrule/datasets/node", { fromSource: true });
    expect(formatErrors(errors)).toMatch(/node:(fs|path|crypto|zlib)/);
  });
});
