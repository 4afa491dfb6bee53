import type { Duplex } from "node:stream";
import { toShoalError } from "../lib/index.ts";
import { HTTP_STATUS } from "./http-errors.ts";

/** A request the client asked to take over (`Connection: Upgrade`, `Upgrade: tcp`), before the takeover. */
export interface HijackRequest {
  method: string;
  /** The path without its `/vX.Y` prefix. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The request body (JSON for exec start), read before the takeover. */
  body: Uint8Array;
}

/** Serves a hijacked connection: it writes the raw stream on `socket` after {@link upgradeHead}. */
export type HijackHandler = (request: HijackRequest, socket: Duplex) => Promise<void>;

/** The 101 response head docker sends before a raw or multiplexed stream. */
export function upgradeHead(contentType: "application/vnd.docker.raw-stream" | "application/vnd.docker.multiplexed-stream"): string {
  return `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`;
}

/** An error answered on a connection that was to be hijacked (a plain HTTP error, then close). */
export function writeHijackError(socket: Duplex, error: unknown): void {
  const failure = toShoalError(error);
  const body = JSON.stringify({ message: failure.message });
  const status = HTTP_STATUS[failure.code];
  socket.end(`HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
