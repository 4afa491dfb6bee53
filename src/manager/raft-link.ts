import type { Logger } from "../lib/index.ts";
import type { RaftNode, RaftTransport, RaftWireMessage } from "../raft/index.ts";
import { ConnectionPool, MANAGERS_ONLY, RpcServer, unaryMethod, type TlsMaterial } from "../transport/index.ts";

/** Raft messages between managers, over the managers' mTLS transport. */
export const RaftStep = unaryMethod<RaftWireMessage, null>("Raft.Step", MANAGERS_ONLY);

/** How long one raft message may take to deliver before raft's own retry takes over. */
const STEP_TIMEOUT_MS = 2000;

/** Options of {@link RaftLink}. */
export interface RaftLinkOptions {
  /** The TLS identity this manager dials with. */
  material: () => TlsMaterial;
  /** The `host:port` of a member (a manager node's ManagerStatus.Addr), or undefined when unknown. */
  addressOf: (memberId: string) => string | undefined;
  logger: Logger;
}

/**
 * Carries raft messages to the other managers (best effort: raft retries what is lost) and hands
 * the ones that arrive to the local member. Member IDs are node IDs.
 */
export class RaftLink implements RaftTransport {
  readonly #options: RaftLinkOptions;
  readonly #pool: ConnectionPool;
  #node: RaftNode | null = null;

  constructor(options: RaftLinkOptions) {
    this.#options = options;
    this.#pool = new ConnectionPool({
      credentials: () => ({ ...options.material() }),
      backoff: { initialMs: 50, maxMs: 1000 },
      onDisconnect: (address) => {
        const member = this.#memberAt(address);
        if (member) this.#node?.leaderConnectionLost(member);
      },
    });
  }

  /** The local member, once started (it is made after its transport). */
  attach(node: RaftNode): void {
    this.#node = node;
  }

  send(message: RaftWireMessage): void {
    const address = this.#options.addressOf(message.to);
    if (!address) return;
    this.#pool.client(address).then(
      (client) => client.call(RaftStep, message, { timeoutMs: STEP_TIMEOUT_MS }).catch((error) => this.#options.logger.debug("raft message lost", { to: message.to, error: String(error) })),
      () => {},
    );
  }

  /** Serves {@link RaftStep} on `rpc`. */
  register(rpc: RpcServer): RpcServer {
    return rpc.unary(RaftStep, (message) => (this.#node?.step(message), null));
  }

  close(): void {
    this.#pool.close();
  }

  #memberAt(address: string): string | undefined {
    const node = this.#node;
    if (!node) return undefined;
    return node.status().membership.voters.find((member) => this.#options.addressOf(member) === address);
  }
}
