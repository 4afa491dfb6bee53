import { connect, type ConnectionOptions } from "node:tls";
import { ShoalError, silentLogger, systemClock, type Clock, type Logger } from "../lib/index.ts";
import type { MuxLimits } from "./mux-limits.ts";
import { MuxSession } from "./mux-session.ts";
import type { PeerIdentity } from "./peer-identity.ts";
import { socketChannel } from "./socket-channel.ts";
import { ALPN_PROTOCOL, identityFromCertificate, type PeerVerifier } from "./tls-identity.ts";

/**
 * What a node dials with. `ca: null` dials without checking the server at all: only for a joining
 * node's first call, whose answer (the root CA) it checks against its join token itself.
 */
export interface DialCredentials {
  ca: string | null;
  /** The node's key and certificate chain; absent before the node has a certificate. */
  key?: string;
  cert?: string;
}

/** Options of {@link dial}. */
export interface DialOptions {
  credentials: DialCredentials;
  /** Checks the server's identity (a manager, of this cluster) once its certificate verified. */
  verifyServer?: PeerVerifier;
  limits?: Partial<MuxLimits>;
  clock?: Clock;
  logger?: Logger;
  /** Milliseconds to connect and finish the handshake (default 5 s). */
  timeoutMs?: number;
}

/** A dialled connection and who answered (null when dialled without checking). */
export interface DialedSession {
  session: MuxSession;
  server: PeerIdentity | null;
}

/** Splits `host:port` (or `[v6]:port`) into its parts. */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) {
    throw new ShoalError("invalid_argument", `invalid address ${JSON.stringify(address)}: expected HOST:PORT`);
  }
  return { host: match[1] ?? match[2]!, port };
}

/** Opens a mutual-TLS connection to `address` and starts a mux session on it. */
export function dial(address: string, options: DialOptions): Promise<DialedSession> {
  const { host, port } = parseAddress(address);
  const { credentials } = options;
  const clock = options.clock ?? systemClock;
  const tlsOptions: ConnectionOptions = {
    host,
    port,
    minVersion: "TLSv1.3",
    ALPNProtocols: [ALPN_PROTOCOL],
    rejectUnauthorized: credentials.ca !== null,
    // Node IDs are not host names: the server's identity is checked from its subject below.
    checkServerIdentity: () => undefined,
    ...(credentials.ca !== null ? { ca: credentials.ca } : {}),
    ...(credentials.key && credentials.cert ? { key: credentials.key, cert: credentials.cert } : {}),
  };
  return new Promise((resolve, reject) => {
    const socket = connect(tlsOptions);
    const timer = clock.setTimeout(() => fail(new ShoalError("unavailable", `connecting to ${address} timed out`)), options.timeoutMs ?? 5000);
    const fail = (error: ShoalError) => {
      timer.cancel();
      socket.destroy();
      reject(error);
    };
    socket.once("error", (error) => fail(new ShoalError("unavailable", `cannot connect to ${address}: ${error.message}`, { cause: error })));
    socket.once("secureConnect", () => {
      timer.cancel();
      socket.removeAllListeners("error");
      let server: PeerIdentity | null = null;
      if (credentials.ca !== null) {
        try {
          server = identityFromCertificate(socket.getPeerCertificate());
          options.verifyServer?.(server);
        } catch (error) {
          socket.destroy();
          reject(error instanceof ShoalError ? error : new ShoalError("permission_denied", String(error)));
          return;
        }
      }
      const session = new MuxSession(socketChannel(socket), {
        side: "client",
        limits: options.limits,
        clock,
        logger: options.logger ?? silentLogger,
      });
      resolve({ session, server });
    });
  });
}
