import { isAbsolute } from "node:path";
import { ShoalError } from "./errors.ts";

/** Where the daemon serves its API, and the CLI looks for it, unless told otherwise. */
export const DEFAULT_HOST = "unix:///run/shoal/shoal.sock";

/** Longest path a unix socket address can hold (sun_path minus the trailing NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * Reads a `-H` address into the unix socket path it names. Only `unix://` is accepted: TCP is
 * served only with mutual TLS, which the daemon does not offer for its API yet.
 */
export function parseHostAddress(host: string): string {
  if (!host.startsWith("unix://")) {
    throw new ShoalError(
      "invalid_argument",
      `unsupported host address ${JSON.stringify(host)}: use a unix socket such as ${DEFAULT_HOST}`,
    );
  }
  const path = host.slice("unix://".length);
  if (!isAbsolute(path)) throw new ShoalError("invalid_argument", `socket path in ${JSON.stringify(host)} must be absolute`);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new ShoalError("invalid_argument", `socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes; choose a shorter one`);
  }
  return path;
}
