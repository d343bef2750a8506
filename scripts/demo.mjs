// Runs every demo app (apps/*) in turn with its default, fast settings.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const apps = existsSync(join(root, "apps"))
  ? readdirSync(join(root, "apps"))
      .map((d) => join(root, "apps", d, "package.json"))
      .filter((p) => existsSync(p))
      .map((p) => JSON.parse(readFileSync(p, "utf8")))
      .filter((pkg) => pkg.scripts?.start)
  : [];

if (apps.length === 0) {
  console.log("demo: no apps yet; showing @chainrule/ndarray instead");
  const np = await import(join(root, "packages/ndarray/dist/index.js"));
  const a = np.array(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: "float64" },
  );
  console.log("a =", a.toString());
  console.log("a @ a.T =", np.matmul(a, a.T).toString());
  console.log("softmax(a) =", np.softmax(a).toString());
}
for (const app of apps) {
  console.log(`\n=== ${app.name} ===`);
  execFileSync("pnpm", ["--filter", app.name, "start"], { stdio: "inherit", cwd: root });
}
