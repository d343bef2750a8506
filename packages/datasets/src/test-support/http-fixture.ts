import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * How the test server answers a path:
 * - good: the body, honouring Range requests;
 * - truncated: the first half, with an honest Content-Length (a short file, served completely);
 * - corrupt: the body with some bytes flipped;
 * - drop: announces the full length, sends half, then cuts the connection;
 * - drop-once: like drop on the first request, then like good;
 * - ignore-range: the whole body with 200 even when a Range is asked for;
 * - trickle: announces the full length, then sends one byte every `trickleMs` (default 500 ms);
 * - redirect: a 302 to `to`.
 */
export type Behaviour = "good" | "truncated" | "corrupt" | "drop" | "drop-once" | "ignore-range" | "trickle";

export type Route =
  | { body: Uint8Array; behaviour?: Behaviour; trickleMs?: number; chunkBytes?: number }
  | { redirectTo: string };

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request seen: its path and Range header. */
  requests: { path: string; range?: string }[];
  close(): Promise<void>;
}

export async function startTestServer(routes: Record<string, Route>): Promise<TestServer> {
  const requests: TestServer["requests"] = [];
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push({ path, range: req.headers.range });
    const count = (seen.get(path) ?? 0) + 1;
    seen.set(path, count);
    const route = routes[path];
    if (!route) return void res.writeHead(404).end("not found");
    if ("redirectTo" in route) return void res.writeHead(302, { Location: route.redirectTo }).end();
    const { body } = route;
    const behaviour = route.behaviour ?? "good";
    if (behaviour === "truncated") return send(res, 200, body.subarray(0, body.length >> 1));
    if (behaviour === "corrupt") return send(res, 200, flipSomeBytes(body));
    if (behaviour === "drop" || (behaviour === "drop-once" && count === 1)) return dropHalfway(res, body);
    if (behaviour === "trickle") return trickle(res, body, route.trickleMs ?? 500, route.chunkBytes ?? 1);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (range && behaviour !== "ignore-range") {
      const start = Number(range[1]);
      if (start >= body.length) {
        return void res.writeHead(416, { "Content-Range": `bytes */${body.length}` }).end();
      }
      return send(res, 206, body.subarray(start), {
        "Content-Range": `bytes ${start}-${body.length - 1}/${body.length}`,
      });
    }
    send(res, 200, body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: Uint8Array,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "Content-Length": body.length, ...headers });
  res.end(body);
}

function flipSomeBytes(body: Uint8Array): Uint8Array {
  const out = Uint8Array.from(body);
  for (let i = Math.floor(out.length / 3); i < out.length; i += 997) out[i] = out[i]! ^ 0xff;
  return out;
}

/** Sends the first half under a full Content-Length, then resets the connection, as a dropped download. */
function dropHalfway(res: ServerResponse, body: Uint8Array): void {
  res.writeHead(200, { "Content-Length": body.length });
  // The pause lets a loaded client read the first half before the cut (else it may see no bytes at all).
  res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.socket?.destroy(), 200));
}

/** Sends `chunkBytes` every `everyMs` under a full Content-Length, until done or the client goes away. */
function trickle(res: ServerResponse, body: Uint8Array, everyMs: number, chunkBytes: number): void {
  res.writeHead(200, { "Content-Length": body.length });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || sent >= body.length) return void clearInterval(timer);
    res.write(body.subarray(sent, sent + chunkBytes));
    sent += chunkBytes;
    if (sent >= body.length) res.end();
  }, everyMs);
  res.on("close", () => clearInterval(timer));
}
