// A separate process for the download race test: prints "ready", waits for a line on stdin, then downloads.
import { createInterface } from "node:readline";
import { downloadVerified } from "../download";

const [url, dest, sha256] = process.argv.slice(2) as [string, string, string];
const lines = createInterface({ input: process.stdin });
process.stdout.write("ready\n");
lines.once("line", () => {
  lines.close();
  downloadVerified(url, dest, { accept: [{ algorithm: "sha256", hex: sha256 }] }).then(
    () => process.stdout.write("done\n"),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
    },
  );
});
