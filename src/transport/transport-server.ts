import { createServer, type Server, type TLSSocket } from "node:tls";
import { ShoalError, silentLogger, systemClock, toShoalError, type Clock, type Logger } from "../lib/index.ts";
import type { MuxLimits } from "./mux-limits.ts";
import { MuxSession } from "./mux-session.ts";
import type { PeerIdentity } from "./peer-identity.ts";
import type { RpcServer } from "./rpc-server.ts";
import { socketChannel } from "./socket-channel.ts";
import { ALPN_PROTOCOL, identityFromCertificate, presentedCertificate, type PeerVerifier, type TlsMaterial } from "./tls-identity.ts";

/** Options of a {@link TransportServer}. */
export interface TransportServerOptions {
  material: TlsMaterial;
  rpc: RpcServer;
  /** Extra checks on a peer with a valid certificate (removed nodes, other clusters). */
  verifyPeer?: PeerVerifier;
  limits?: Partial<MuxLimits>;
  clock?: Clock;
  logger?: Logger;
  /** Milliseconds a client has to finish the TLS handshake (default 10 s). */
  handshakeTimeoutMs?: number;
}

/**
 * Listens for nodes over mutual TLS 1.3 and serves RPC on each connection's streams. A peer
 * whose certificate does not verify against the current trust roots, is expired, or is refused
 * by `verifyPeer` gets nothing but a closed connection; a peer without a certificate may call only
 * anonymous methods (the CA's join methods).
 */
export class TransportServer {
  readonly #options: TransportServerOptions;
  readonly #server: Server;
  readonly #sessions = new Set<MuxSession>();
  readonly #logger: Logger;
  readonly #clock: Clock;

  constructor(options: TransportServerOptions) {
    this.#options = options;
    this.#logger = (options.logger ?? silentLogger).with({ module: "transport" });
    this.#clock = options.clock ?? systemClock;
    this.#server = createServer(
      {
        ...tlsContext(options.material),
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: "TLSv1.3",
        ALPNProtocols: [ALPN_PROTOCOL],
        handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      },
      (socket) => this.#accept(socket),
    );
    this.#server.on("tlsClientError", (error) => this.#logger.debug("tls handshake refused", { error: error.message }));
  }

  /** Starts listening; resolves with the bound port. */
  listen(port: number, host = "0.0.0.0"): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        const address = this.#server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  }

  /** Connections being served. */
  get connectionCount(): number {
    return this.#sessions.size;
  }

  /** Swaps the key, certificate or trust roots for new connections (renewal, CA rotation). */
  updateMaterial(material: TlsMaterial): void {
    this.#options.material = material;
    this.#server.setSecureContext(tlsContext(material));
  }

  /** Drops the connections of a peer, e.g. a node just removed from the swarm. */
  disconnect(predicate: (peer: PeerIdentity | null) => boolean): void {
    for (const session of this.#sessions) {
      if (predicate(peerOf.get(session) ?? null)) session.close(new ShoalError("permission_denied", "peer is no longer allowed"));
    }
  }

  /** Stops listening, asks every connection to go away, and waits (up to `graceMs`) for them to finish. */
  async close(graceMs = 5000): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const session of this.#sessions) session.goaway();
    const sessionsDone = Promise.all([...this.#sessions].map((session) => session.closed));
    await Promise.race([sessionsDone, new Promise((resolve) => this.#clock.setTimeout(() => resolve(undefined), graceMs))]);
    for (const session of this.#sessions) session.close();
    await stopped;
  }

  #accept(socket: TLSSocket): void {
    let peer: PeerIdentity | null = null;
    const certificate = socket.getPeerCertificate();
    if (presentedCertificate(certificate)) {
      try {
        if (!socket.authorized) {
          throw new ShoalError("permission_denied", `peer certificate refused: ${String(socket.authorizationError)}`);
        }
        peer = identityFromCertificate(certificate);
        this.#options.verifyPeer?.(peer);
      } catch (error) {
        this.#logger.info("refused connection", { remote: socket.remoteAddress, error: toShoalError(error).message });
        socket.destroy();
        return;
      }
    }
    const session = new MuxSession(socketChannel(socket), {
      side: "server",
      limits: this.#options.limits,
      clock: this.#clock,
      logger: this.#logger,
      onStream: (stream) => this.#options.rpc.handleStream(stream, peer),
    });
    peerOf.set(session, peer);
    this.#sessions.add(session);
    void session.closed.then(() => this.#sessions.delete(session));
  }
}

const peerOf = new WeakMap<MuxSession, PeerIdentity | null>();

/** The parts of a TLS context that come from the node's material. */
export function tlsContext(material: TlsMaterial): { key: string; cert: string; ca: string } {
  return { key: material.key, cert: material.cert, ca: material.ca };
}
