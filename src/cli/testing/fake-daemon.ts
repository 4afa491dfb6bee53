/**
 * A fake of the daemon's Engine API for the CLI's unit tests: a node:http server on a temporary
 * unix socket that records every request and answers from routes the test registers, including
 * hijacked (`Upgrade: tcp`) endpoints, which get the raw socket.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A request the fake received, with the version prefix taken off its path. */
export interface RecordedRequest {
  method: string;
  /** The path without `/v1.NN` and query (`/containers/create`). */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
  /** Whether it asked to hijack the connection. */
  upgrade: boolean;
}

/** Answers a plain request (write through `res`, or return a JSON body / [status, body]). */
export type RouteHandler = (request: RecordedRequest, res: ServerResponse) => unknown | Promise<unknown>;

/** Answers a hijack request: the socket is raw after the head; `sendSwitch` writes the 101 head. */
export type HijackHandler = (request: RecordedRequest, socket: Socket, sendSwitch: (contentType?: string) => void) => void;

/** The fake daemon of a test. */
export interface FakeDaemon {
  readonly socket: string;
  readonly host: string;
  readonly requests: RecordedRequest[];
  /** Registers a route; `path` is exact or a RegExp on the unversioned path. Later routes win. */
  on(method: string, path: string | RegExp, handler: RouteHandler): void;
  /** Registers a hijacking route. */
  onHijack(method: string, path: string | RegExp, handler: HijackHandler): void;
  /** The requests other than pings, as `METHOD /path?query` lines. */
  calls(): string[];
  close(): Promise<void>;
}

/** Replies with docker's JSON error body. */
export function jsonError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ message }));
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === "string" ? pattern === path : pattern.test(path);
}

/** Starts a fake daemon on a fresh socket. */
export async function startFakeDaemon(): Promise<FakeDaemon> {
  const dir = mkdtempSync(join(tmpdir(), "shoal-cli-test-"));
  const socket = join(dir, "api.sock");
  const requests: RecordedRequest[] = [];
  const routes: { method: string; path: string | RegExp; handler: RouteHandler }[] = [];
  const hijacks: { method: string; path: string | RegExp; handler: HijackHandler }[] = [];
  const record = (req: IncomingMessage, body: string, upgrade: boolean): RecordedRequest => {
    const url = new URL(req.url ?? "/", "http://fake");
    const recorded = { method: req.method ?? "GET", path: url.pathname.replace(/^\/v\d+\.\d+/, ""), query: url.searchParams, headers: req.headers, body, upgrade };
    requests.push(recorded);
    return recorded;
  };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = record(req, Buffer.concat(chunks).toString("utf8"), false);
    if (request.path === "/_ping") {
      res.writeHead(200, { "Api-Version": "1.51", "Content-Type": "text/plain; charset=utf-8" });
      res.end(request.method === "HEAD" ? undefined : "OK");
      return;
    }
    const route = [...routes].reverse().find((candidate) => candidate.method === request.method && matches(candidate.path, request.path));
    if (!route) return jsonError(res, 404, `page not found: ${request.method} ${request.path}`);
    try {
      const result = await route.handler(request, res);
      if (res.headersSent || res.writableEnded) return;
      const [status, body] = Array.isArray(result) && typeof result[0] === "number" ? (result as [number, unknown]) : [200, result];
      if (body === undefined) {
        res.writeHead(status === 200 ? 204 : status);
        res.end();
      } else {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      }
    } catch (error) {
      jsonError(res, 500, (error as Error).message);
    }
  });
  const hijacked = new Set<Socket>();
  server.on("upgrade", (req: IncomingMessage, raw: Socket, head: Buffer) => {
    hijacked.add(raw);
    raw.on("close", () => hijacked.delete(raw));
    const length = Number(req.headers["content-length"] ?? 0);
    let body = head;
    let dispatched = false;
    // Node leaves a hijack request's body on the socket; Bun hands it to `req` as a body.
    const onData = (data: Buffer) => {
      body = Buffer.concat([body, data]);
      if (body.length >= length) dispatch();
    };
    const dispatch = () => {
      if (dispatched) return;
      dispatched = true;
      raw.removeListener("data", onData);
      req.removeListener("data", onData);
      const request = record(req, body.subarray(0, length).toString("utf8"), true);
      const rest = body.subarray(length);
      if (rest.length > 0) raw.unshift(rest);
      const hijack = [...hijacks].reverse().find((candidate) => candidate.method === request.method && matches(candidate.path, request.path));
      if (!hijack) {
        raw.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 29\r\n\r\n{"message":"no hijack route"}`);
        return;
      }
      hijack.handler(request, raw, (contentType = "application/vnd.docker.multiplexed-stream") =>
        raw.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`),
      );
    };
    if (body.length >= length) dispatch();
    else {
      raw.on("data", onData);
      req.on("data", onData);
    }
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));

  return {
    socket,
    host: `unix://${socket}`,
    requests,
    on: (method, path, handler) => void routes.push({ method, path, handler }),
    onHijack: (method, path, handler) => void hijacks.push({ method, path, handler }),
    calls: () =>
      requests
        .filter((request) => request.path !== "/_ping")
        .map((request) => `${request.method} ${request.path}${request.query.size > 0 ? `?${request.query}` : ""}`),
    close: async () => {
      server.closeAllConnections?.();
      for (const socket of hijacked) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
