import { createConnection, type Socket } from "node:net";
import type { ApiClient, RequestOptions } from "./api-client.ts";
import { errorText } from "./api-client.ts";
import { ChunkQueue } from "./chunk-queue.ts";
import { CliError, DaemonError } from "./cli-error.ts";

/** A connection the daemon took over after `101 Switching Protocols`: a raw two-way byte stream. */
export interface HijackedConnection {
  /** The reply's Content-Type (`application/vnd.docker.raw-stream` or `…multiplexed-stream`). */
  readonly contentType: string | undefined;
  /** What the daemon sends after the reply head, until it closes its side. */
  readonly output: AsyncIterable<Uint8Array>;
  /** Sends bytes to the container's standard input. */
  write(data: Uint8Array): Promise<void>;
  /** Half-closes the connection: the daemon reads end of file on stdin and can still answer. */
  closeWrite(): void;
  /** Closes the connection in both directions. */
  close(): void;
}

/** The status line and headers of an HTTP/1.1 reply. */
export interface ResponseHead {
  status: number;
  statusText: string;
  /** Header names in lower case. */
  headers: Map<string, string>;
}

const HEAD_END = Buffer.from("\r\n\r\n");

/** Parses an HTTP/1.1 reply head (status line and headers, without the blank line). */
export function parseResponseHead(text: string): ResponseHead {
  const [statusLine = "", ...lines] = text.split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) throw new CliError(`malformed reply from the daemon: ${JSON.stringify(statusLine)}`);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(match[1]), statusText: match[2] ?? "", headers };
}

/** Reads the rest of a non-upgraded reply's body (by Content-Length, else until the daemon closes). */
async function readBody(head: ResponseHead, first: Buffer, more: AsyncIterable<Uint8Array>): Promise<string> {
  const length = Number(head.headers.get("content-length") ?? NaN);
  const chunks = [first];
  let size = first.length;
  if (!(size >= length)) {
    for await (const chunk of more) {
      chunks.push(Buffer.from(chunk));
      size += chunk.length;
      if (size >= length) break;
    }
  }
  const body = Buffer.concat(chunks);
  return (Number.isFinite(length) ? body.subarray(0, length) : body).toString("utf8");
}

/**
 * Sends `method path` over a new connection to the daemon's socket with `Connection: Upgrade`,
 * `Upgrade: tcp` (as the docker client does for attach and exec start) and returns the hijacked
 * stream once the daemon answers 101. Any other answer becomes the daemon's error.
 */
export async function hijack(client: ApiClient, method: string, path: string, options: Pick<RequestOptions, "query" | "body"> = {}): Promise<HijackedConnection> {
  const target = await client.versionedPath(path, options.query);
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(options.body));
  const head =
    `${method} ${target} HTTP/1.1\r\n` +
    "Host: api.moby.localhost\r\n" +
    "User-Agent: shoal-cli\r\n" +
    `Content-Type: ${options.body === undefined ? "text/plain" : "application/json"}\r\n` +
    `Content-Length: ${body.length}\r\n` +
    "Connection: Upgrade\r\n" +
    "Upgrade: tcp\r\n\r\n";

  const socket: Socket = createConnection({ path: client.socketPath, allowHalfOpen: true });
  const queue = new ChunkQueue();
  let pending = Buffer.alloc(0);
  let resolveHead: ((value: { head: ResponseHead; rest: Buffer }) => void) | undefined;
  let rejectHead: ((error: Error) => void) | undefined;
  const headReceived = new Promise<{ head: ResponseHead; rest: Buffer }>((resolve, reject) => {
    resolveHead = resolve;
    rejectHead = reject;
  });
  socket.on("data", (data: Buffer) => {
    if (!resolveHead) {
      queue.push(new Uint8Array(data));
      return;
    }
    pending = Buffer.concat([pending, data]);
    const end = pending.indexOf(HEAD_END);
    if (end < 0) return;
    const resolve = resolveHead;
    resolveHead = undefined;
    try {
      resolve({ head: parseResponseHead(pending.subarray(0, end).toString("latin1")), rest: pending.subarray(end + HEAD_END.length) });
    } catch (error) {
      rejectHead?.(error as Error);
    }
  });
  socket.on("end", () => {
    rejectHead?.(new CliError("the daemon closed the connection before answering"));
    queue.end();
  });
  socket.on("error", (error) => {
    rejectHead?.(new CliError(client.cannotConnect));
    queue.end(new CliError(`error reading the container's output: ${error.message}`));
  });
  socket.on("close", () => queue.end());
  socket.write(head);
  if (body.length > 0) socket.write(body);

  const { head: reply, rest } = await headReceived;
  rejectHead = undefined;
  if (reply.status !== 101 && reply.status !== 200) {
    const text = await readBody(reply, rest, queue);
    socket.destroy();
    throw new DaemonError(reply.status, `Error response from daemon: ${errorText(reply.headers.get("content-type") ?? null, text, reply.status, reply.statusText)}`);
  }
  queue.push(new Uint8Array(rest));
  return {
    contentType: reply.headers.get("content-type"),
    output: queue,
    write: (data) =>
      new Promise<void>((resolve, reject) => {
        if (socket.destroyed || socket.writableEnded) return resolve();
        socket.write(data, (error) => (error ? reject(error) : resolve()));
      }),
    closeWrite: () => {
      if (!socket.destroyed && !socket.writableEnded) socket.end();
    },
    close: () => void socket.destroy(),
  };
}
