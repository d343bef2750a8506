// A plain static file server for the no-bundler page: test/native-esm/ at "/", the packages' built files
// under "/packages/<name>/dist/". Nothing else is readable (no "..", no other folders).
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { ROOT } from "./bundle";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
};
const PAGE_DIR = join(ROOT, "apps/playground/test/native-esm");
const DIST = /^\/packages\/([a-z0-9-]+)\/dist\/([\w.-]+\.js)$/;

function fileFor(url: string): string | undefined {
  const path = normalize(decodeURIComponent(url.split("?")[0]!));
  const dist = DIST.exec(path);
  if (dist) return join(ROOT, "packages", dist[1]!, "dist", dist[2]!);
  if (/^\/[\w.-]*$/.test(path)) return join(PAGE_DIR, path === "/" ? "index.html" : path.slice(1));
  return undefined;
}

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

export async function serveNativeEsm(): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const file = fileFor(req.url ?? "/");
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end(`not found: ${req.url}`);
      return;
    }
    res.setHeader("Content-Type", TYPES[extname(file)] ?? "application/octet-stream");
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
