import { ShoalError, toShoalError, type Clock, type Logger, type Timer } from "../lib/index.ts";
import type { ClusterStore } from "../store/index.ts";
import type { RpcServer } from "../transport/index.ts";
import type { Node } from "../types/index.ts";
import { Heartbeat, type RemoteManager } from "./swarm-protocol.ts";

/** SwarmKit's dispatcher expires a node after this many missed heartbeat periods. */
export const HEARTBEAT_GRACE_PERIODS = 3;

/** Docker's Status.Message of a node whose heartbeats stopped. */
export const HEARTBEAT_FAILURE_MESSAGE = "heartbeat failure";

const DEFAULT_PERIOD_MS = 5000;

/** What the dispatcher needs from its manager. */
export interface DispatcherOptions {
  store: ClusterStore;
  clusterId: string;
  /** This manager's node ID: it does not heartbeat to itself. */
  selfId: string;
  clock: Clock;
  logger: Logger;
  managers: () => RemoteManager[];
  /** Whether this manager leads raft: only the leader's dispatcher serves heartbeats and marks nodes down (default: always). */
  isLeader?: () => boolean;
}

/**
 * The agents' side of the managers (SwarmKit's `Dispatcher`, reduced to heartbeats): a node that
 * heartbeats is marked ready; one silent for {@link HEARTBEAT_GRACE_PERIODS} periods is marked down
 * ("heartbeat failure"). Nodes this dispatcher has not heard from since it started get the same grace.
 */
export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #log: Logger;
  /** When each node was last heard from (ms on the clock). */
  readonly #lastSeen = new Map<string, number>();
  #startedAt = 0;
  #timer: Timer | null = null;
  #checking = false;
  #wasLeader = false;

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#log = options.logger.with({ module: "dispatcher" });
  }

  /** The heartbeat period the cluster's `Dispatcher.HeartbeatPeriod` sets, in milliseconds. */
  periodMs(): number {
    const cluster = this.#options.store.view((tx) => tx.get("cluster", this.#options.clusterId));
    const ns = cluster?.Spec.Dispatcher.HeartbeatPeriod ?? 0;
    return ns > 0 ? Math.max(1, Math.round(ns / 1e6)) : DEFAULT_PERIOD_MS;
  }

  /** Serves {@link Heartbeat} on `rpc`. */
  register(rpc: RpcServer): RpcServer {
    return rpc.unary(Heartbeat, async (_request, context) => {
      // unavailable: the agent's failover client moves on to the next manager (the leader is listed first).
      if (!this.#leading()) throw new ShoalError("unavailable", "this manager is not the raft leader; send heartbeats to the leader");
      const nodeId = context.peer!.nodeId;
      await this.heartbeat(nodeId);
      const role = this.#options.store.view((tx) => tx.get("nodes", nodeId))?.Spec.Role ?? "worker";
      return { periodMs: this.periodMs(), managers: this.#options.managers(), role };
    });
  }

  /** Records a heartbeat of `nodeId`, marking it ready when it was not. */
  async heartbeat(nodeId: string): Promise<void> {
    const node = this.#options.store.view((tx) => tx.get("nodes", nodeId));
    if (!node) throw new ShoalError("not_found", `node ${nodeId} is not a member of this swarm; leave it and join again`);
    this.#lastSeen.set(nodeId, this.#options.clock.now());
    if (node.Status.State !== "ready") {
      await this.#setState(nodeId, "ready", "");
      this.#log.info("node ready", { "node.id": nodeId });
    }
  }

  /** Starts watching for silent nodes. */
  start(): void {
    if (this.#timer) return;
    this.#startedAt = this.#options.clock.now();
    this.#arm();
  }

  /** Stops watching; idempotent. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  #arm(): void {
    const interval = Math.max(50, Math.min(1000, Math.floor(this.periodMs() / 2)));
    this.#timer = this.#options.clock.setTimeout(() => {
      void this.check().finally(() => {
        if (this.#timer) this.#arm();
      });
    }, interval);
  }

  #leading(): boolean {
    return this.#options.isLeader?.() ?? true;
  }

  /**
   * On the leader, marks down every ready worker not heard from within the grace (managers do not
   * heartbeat: raft tells about them). A manager that just became leader gives every node the grace anew.
   */
  async check(): Promise<void> {
    const leading = this.#leading();
    if (leading && !this.#wasLeader) {
      this.#startedAt = this.#options.clock.now();
      this.#lastSeen.clear();
    }
    this.#wasLeader = leading;
    if (!leading || this.#checking) return;
    this.#checking = true;
    try {
      const now = this.#options.clock.now();
      const grace = HEARTBEAT_GRACE_PERIODS * this.periodMs();
      const nodes: Node[] = this.#options.store.view((tx) => tx.find("nodes"));
      for (const node of nodes) {
        if (node.ID === this.#options.selfId || node.ManagerStatus || node.Status.State === "down") continue;
        const last = this.#lastSeen.get(node.ID) ?? this.#startedAt;
        if (now - last <= grace) continue;
        try {
          await this.#setState(node.ID, "down", HEARTBEAT_FAILURE_MESSAGE);
          this.#log.info("node down: heartbeat failure", { "node.id": node.ID, "silent.ms": now - last });
        } catch (error) {
          this.#log.warn("cannot mark node down", { "node.id": node.ID, error: toShoalError(error).message });
        }
      }
    } finally {
      this.#checking = false;
    }
  }

  async #setState(nodeId: string, state: "ready" | "down", message: string): Promise<void> {
    await this.#options.store.update((tx) => {
      const current = tx.get("nodes", nodeId);
      if (!current) return;
      const { Message: _message, ...status } = current.Status;
      tx.update("nodes", { ...current, Status: { ...status, State: state, ...(message ? { Message: message } : {}) } });
    });
  }
}
