// The dual-package hazard, in real Node processes on the built packages (dist/): `import` and `require`
// must share one copy, and an array of a genuinely different copy must be reported as exactly that.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const here = join(import.meta.dirname, "..");
const ndarrayDist = join(here, "../ndarray/dist");

/** Runs an ES module program with plain Node (no source condition), from this package's folder. */
function node(program: string): string {
  const prelude = `import { createRequire } from "node:module"; const require = createRequire(${JSON.stringify(here + "/")});\n`;
  try {
    return execFileSync("node", ["--input-type=module", "-e", prelude + program], { cwd: here })
      .toString()
      .trim();
  } catch (e) {
    throw new Error(`node failed:\n${(e as { stderr?: Buffer }).stderr?.toString()}`);
  }
}

beforeAll(() => {
  // The built packages are what users load; build them when this checkout has not yet.
  for (const dir of [ndarrayDist, join(here, "dist")])
    if (!existsSync(join(dir, "index.node.mjs")))
      execFileSync(
        "pnpm",
        ["--filter", "@chainrule/ndarray", "--filter", "@chainrule/autograd", "run", "build"],
        {
          cwd: here,
          stdio: "ignore",
        },
      );
}, 300_000);

describe("import and require in one Node process", () => {
  it("share one copy: a backend set through require is the one import sees", () => {
    const out = node(`
      const cjs = require("@chainrule/ndarray");
      const probe = { name: "probe", kernels: {} };
      cjs.setBackend(probe);
      const esm = await import("@chainrule/ndarray");
      const sum = esm.array([1, 2, 3]).add(1).dataSync().join(",");
      console.log(esm.getBackend() === probe, esm.NDArray === cjs.NDArray, sum);
    `);
    expect(out).toBe("true true 2,3,4");
  });
  it("a tape from require differentiates arrays made with import", () => {
    const out = node(`
      const { GradientTape } = require("@chainrule/autograd");
      const np = await import("@chainrule/ndarray");
      const esmAutograd = await import("@chainrule/autograd");
      const x = np.array(3, { dtype: "float64" });
      const tape = new GradientTape();
      const y = tape.record(() => { tape.watch(x); return x.mul(x); });
      console.log(tape.gradient(y, x).item(), esmAutograd.GradientTape === GradientTape);
    `);
    expect(out).toBe("6 true");
  });
});

describe("an array of another copy (the ESM build loaded beside the CJS one, as a second install would be)", () => {
  const foreign = `const other = await import(${JSON.stringify(join(ndarrayDist, "index.js"))});`;
  const report = (body: string) =>
    node(`${foreign}
      const { GradientTape } = require("@chainrule/autograd");
      const np = require("@chainrule/ndarray");
      try { ${body}; console.log("no error"); } catch (e) { console.log(e.constructor.name + ": " + e.message); }`);
  const copies =
    /another copy of @chainrule\/ndarray \(version 0\.0\.0, esm build\) than the one this code uses \(version 0\.0\.0, cjs build\).*npm dedupe/;

  it("GradientTape.watch names both copies and the fix (not 'expected NDArrays, got 3')", () => {
    const out = report(`new GradientTape().watch(other.array(3))`);
    expect(out).toMatch(/^TypeError: GradientTape\.watch: got an NDArray from /);
    expect(out).toMatch(copies);
  });
  it("an op of one copy on an array of the other says so, naming the op", () => {
    const out = report(`np.add(other.array([1, 2]), 1)`);
    expect(out).toMatch(/^TypeError: add: got an NDArray from /);
    expect(out).toMatch(
      /version 0\.0\.0, esm build\) than the one this code uses \(version 0\.0\.0, cjs build\)/,
    );
  });
  it("a tape cannot silently record nothing: the foreign copy's ops reject its arrays", () => {
    const out = report(`const x = np.array(3, { dtype: "float64" }); const t = new GradientTape();
      t.record(() => { t.watch(x); return other.mul(x, x); })`);
    expect(out).toMatch(
      /^TypeError: mul: got an NDArray from another copy of @chainrule\/ndarray \(version 0\.0\.0, cjs build\) than the one this code uses \(version 0\.0\.0, esm build\)/,
    );
  });
});
