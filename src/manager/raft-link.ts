import { ShoalError, sleep, type Clock, type Logger } from "../lib/index.ts";
import type { RaftNode, RaftTransport, RaftWireMessage } from "../raft/index.ts";
import { ConnectionPool, MANAGERS_ONLY, RpcServer, unaryMethod, type RpcClient, type TlsMaterial } from "../transport/index.ts";

/** Raft messages between managers, over the managers' mTLS transport. */
export const RaftStep = unaryMethod<RaftWireMessage, null>("Raft.Step", MANAGERS_ONLY);

/**
 * A follower manager's store write, handed to the leader: the leader proposes the bytes and answers
 * with what its store's apply returned (the raft index included), once applied there.
 */
export const RaftProposeForward = unaryMethod<{ data: Uint8Array }, unknown>("Raft.ProposeForward", MANAGERS_ONLY);

/** How long a forwarded proposal may take (the proposer's own bound). */
export const FORWARD_TIMEOUT_MS = 10_000;

/** How long one raft message may take to deliver before raft's own retry takes over. */
const STEP_TIMEOUT_MS = 2000;

/** Options of {@link RaftLink}. */
export interface RaftLinkOptions {
  /** The TLS identity this manager dials with. */
  material: () => TlsMaterial;
  /** The `host:port` of a member (a manager node's ManagerStatus.Addr), or undefined when unknown. */
  addressOf: (memberId: string) => string | undefined;
  logger: Logger;
  /** Times the arrival of raft messages (for reachability). */
  clock: Clock;
}

/**
 * Carries raft messages to the other managers (best effort: raft retries what is lost) and hands
 * the ones that arrive to the local member. Member IDs are node IDs.
 */
export class RaftLink implements RaftTransport {
  readonly #options: RaftLinkOptions;
  readonly #pool: ConnectionPool;
  #node: RaftNode | null = null;
  /** When a raft message from each member last arrived. */
  readonly #heard = new Map<string, number>();
  /** Called with the sender of each raft message, once the local member has taken it (the membership loop's cue that a learner may have caught up). */
  onMessage: ((from: string) => void) | null = null;
  #closed = false;

  constructor(options: RaftLinkOptions) {
    this.#options = options;
    this.#pool = new ConnectionPool({
      credentials: () => ({ ...options.material() }),
      // Short first retries: a joining manager starts listening a few tens of ms after the leader first
      // dials it (see RaftMembership's connect step); a peer that stays away is still tried at most every second.
      backoff: { initialMs: 10, maxMs: 1000 },
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

  /** Sends a store proposal to the leader `leader`; resolves with its apply result. */
  async forward(leader: string, data: Uint8Array): Promise<unknown> {
    const address = this.#options.addressOf(leader);
    if (!address) throw new ShoalError("unavailable", `the address of the raft leader ${leader} is not known yet; try again`);
    const client = await this.#pool.client(address);
    return client.call(RaftProposeForward, { data }, { timeoutMs: FORWARD_TIMEOUT_MS + 1000 });
  }

  /**
   * Resolves once a connection to `member`'s raft address is open (the one raft's messages then use),
   * dialling again whenever the pool's backoff allows; rejects when the address is unknown, the link
   * closed, or no connection opened within `timeoutMs`.
   */
  async connect(member: string, timeoutMs: number): Promise<void> {
    const { clock } = this.#options;
    const deadline = clock.now() + timeoutMs;
    for (;;) {
      const address = this.#options.addressOf(member);
      if (!address) throw new ShoalError("unavailable", `the address of manager ${member} is not known`);
      try {
        await this.#pool.session(address);
        return;
      } catch (error) {
        const wait = Math.max(this.#pool.retryAt(address) - clock.now(), 1);
        if (this.#closed || clock.now() + wait > deadline) throw error;
        await sleep(clock, wait);
      }
    }
  }

  /** A client to another manager (for calls a follower passes on to the leader). */
  async clientOf(member: string): Promise<RpcClient> {
    const address = this.#options.addressOf(member);
    if (!address) throw new ShoalError("unavailable", `the address of manager ${member} is not known yet; try again`);
    return this.#pool.client(address);
  }

  /** Serves {@link RaftStep} and {@link RaftProposeForward} on `rpc`. */
  register(rpc: RpcServer): RpcServer {
    return rpc
      .unary(RaftStep, (message) => {
        const from = typeof message?.from === "string" ? message.from : null;
        if (from) this.#heard.set(from, this.#options.clock.now());
        this.#node?.step(message);
        if (from) this.onMessage?.(from);
        return null;
      })
      .unary(RaftProposeForward, (request) => {
        const node = this.#node;
        if (!node || node.status().leader !== node.id) throw new ShoalError("unavailable", "this manager is not the raft leader (any more); retry");
        if (!(request?.data instanceof Uint8Array)) throw new ShoalError("invalid_argument", "a forwarded proposal carries data bytes");
        return node.propose(request.data, { timeoutMs: FORWARD_TIMEOUT_MS });
      });
  }

  /** When a raft message from `member` last arrived here (undefined: none since this manager started). */
  lastHeardFrom(member: string): number | undefined {
    return this.#heard.get(member);
  }

  /** When any raft message last arrived here. */
  lastHeardFromAny(): number | undefined {
    let latest: number | undefined;
    for (const at of this.#heard.values()) latest = latest === undefined ? at : Math.max(latest, at);
    return latest;
  }

  close(): void {
    this.#closed = true;
    this.#pool.close();
  }

  #memberAt(address: string): string | undefined {
    const node = this.#node;
    if (!node) return undefined;
    return node.status().membership.voters.find((member) => this.#options.addressOf(member) === address);
  }
}
