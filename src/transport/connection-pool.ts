import { ShoalError, systemClock, type Clock } from "../lib/index.ts";
import { dial, type DialOptions } from "./dial.ts";
import type { MuxSession } from "./mux-session.ts";
import { RpcClient } from "./rpc-client.ts";

/** Exponential backoff with jitter between reconnection attempts to one address. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** SwarmKit's agent backs off from 100 ms up to 8 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 8000 };

/** The delay before attempt `failures + 1`: exponential, capped, with full jitter in its upper half. */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

interface PeerState {
  session: MuxSession | null;
  dialing: Promise<MuxSession> | null;
  failures: number;
  retryAt: number;
}

/** Options of a {@link ConnectionPool}. */
export interface ConnectionPoolOptions extends Omit<DialOptions, "credentials"> {
  /** Credentials for each new connection (they change when the certificate renews). */
  credentials: () => DialOptions["credentials"];
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Called when a connection the pool made ends (peer gone, reset, keepalive timeout, closed). */
  onDisconnect?: (address: string, error: ShoalError | null) => void;
  /** Dials an address (the real TLS dial unless a test gives another). */
  dialer?: (address: string, options: DialOptions) => ReturnType<typeof dial>;
}

/**
 * One live connection per peer address, shared by every call to it; a closed or retiring
 * connection is replaced on the next call, and a peer that fails to answer is retried only after
 * an exponential backoff with jitter.
 */
export class ConnectionPool {
  readonly #options: ConnectionPoolOptions;
  readonly #clock: Clock;
  readonly #peers = new Map<string, PeerState>();
  #closed = false;

  constructor(options: ConnectionPoolOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** When the next attempt to `address` may be made (0 when it may be made now). */
  retryAt(address: string): number {
    return this.#peers.get(address)?.retryAt ?? 0;
  }

  /** The live session to `address`, dialling when there is none. Fails fast while backing off. */
  async session(address: string): Promise<MuxSession> {
    if (this.#closed) throw new ShoalError("unavailable", "connection pool is closed");
    let state = this.#peers.get(address);
    if (!state) {
      state = { session: null, dialing: null, failures: 0, retryAt: 0 };
      this.#peers.set(address, state);
    }
    if (state.session?.isOpen) return state.session;
    state.session = null;
    if (state.dialing) return state.dialing;
    const now = this.#clock.now();
    if (now < state.retryAt) {
      throw new ShoalError("unavailable", `${address} is unreachable; next attempt in ${state.retryAt - now} ms`);
    }
    const peer = state;
    peer.dialing = (async () => {
      try {
        const { session } = await (this.#options.dialer ?? dial)(address, { ...this.#options, credentials: this.#options.credentials() });
        peer.failures = 0;
        peer.retryAt = 0;
        peer.session = session;
        const onDisconnect = this.#options.onDisconnect;
        if (onDisconnect) void session.closed.then((error) => this.#closed || onDisconnect(address, error));
        if (this.#closed) session.close();
        return session;
      } catch (error) {
        peer.failures++;
        peer.retryAt = this.#clock.now() + backoffDelay(this.#options.backoff ?? DEFAULT_BACKOFF, peer.failures, this.#options.random ?? Math.random);
        throw error;
      } finally {
        peer.dialing = null;
      }
    })();
    return peer.dialing;
  }

  /** An RPC client over the live session to `address`. */
  async client(address: string): Promise<RpcClient> {
    return new RpcClient(await this.session(address), this.#clock);
  }

  /** Closes every connection; later calls fail. */
  close(): void {
    this.#closed = true;
    for (const peer of this.#peers.values()) peer.session?.close();
    this.#peers.clear();
  }
}
