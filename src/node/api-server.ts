import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { Readable } from "node:stream";
import { splitVersionedPath, writeHijackError, type HijackHandler } from "../api/index.ts";
import type { Logger } from "../lib/index.ts";

/** The API on a unix socket: fetch-style handlers, plus connections a client takes over (exec, attach). */
export interface ApiServer {
  close(): Promise<void>;
}

/**
 * Serves `fetch` on `socketPath` with node:http, which (unlike Bun.serve) hands over the raw
 * socket of an `Upgrade: tcp` request: docker's exec and attach need that (101, then a stream).
 */
export async function serveApi(options: { socketPath: string; fetch: (request: Request) => Response | Promise<Response>; hijack: HijackHandler; logger: Logger }): Promise<ApiServer> {
  const server: Server = createServer((request, response) => void serveRequest(options.fetch, request, response, options.logger));
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => void serveHijack(options.hijack, request, socket, head, options.logger));
  // Streams such as `logs -f` and `events` stay open for as long as the client reads.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.socketPath, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serveRequest(fetch: (request: Request) => Response | Promise<Response>, request: IncomingMessage, response: ServerResponse, logger: Logger): Promise<void> {
  const aborter = new AbortController();
  response.on("close", () => aborter.abort());
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  try {
    const answer = await fetch(
      new Request(`http://shoal${request.url ?? "/"}`, {
        method: request.method,
        headers,
        body: hasBody ? (Readable.toWeb(request) as ReadableStream<Uint8Array>) : undefined,
        signal: aborter.signal,
        duplex: "half",
      }),
    );
    const outgoing: Record<string, string | string[]> = {};
    answer.headers.forEach((value, name) => {
      outgoing[name] = name === "set-cookie" ? [...((outgoing[name] as string[]) ?? []), value] : value;
    });
    response.writeHead(answer.status, outgoing);
    if (!answer.body || request.method === "HEAD") {
      response.end();
      return;
    }
    // Headers go out now: `docker run` waits for the wait call's headers before it starts the container.
    response.flushHeaders();
    const reader = answer.body.getReader();
    aborter.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}));
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // Flushed at once: progress and log lines must reach the client as they happen.
      if (!response.write(value)) await new Promise((resolve) => response.once("drain", resolve));
    }
    response.end();
  } catch (error) {
    if (aborter.signal.aborted) return;
    logger.error("api response failed", { error: String(error) });
    if (!response.headersSent) response.writeHead(500, { "Content-Type": "application/json" }).end(JSON.stringify({ message: String(error) }));
    else response.destroy();
  }
}

async function serveHijack(hijack: HijackHandler, request: IncomingMessage, socket: Duplex, head: Buffer, logger: Logger): Promise<void> {
  socket.on("error", () => {});
  try {
    const url = new URL(`http://shoal${request.url ?? "/"}`);
    const { path } = splitVersionedPath(url.pathname);
    // Bun's node:http consumes the (small JSON) body of an upgrade request; what it passes on is in `head`.
    await hijack({ method: request.method ?? "POST", path, query: url.searchParams, headers: request.headers, body: new Uint8Array(head) }, socket);
  } catch (error) {
    logger.debug("hijacked request failed", { error: String(error) });
    if (!socket.destroyed) writeHijackError(socket, error);
  }
}
