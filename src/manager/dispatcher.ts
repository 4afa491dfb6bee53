import { ShoalError, toShoalError, type Clock, type Logger, type Timer } from "../lib/index.ts";
import type { ClusterStore } from "../store/index.ts";
import type { CallContext, RpcServer } from "../transport/index.ts";
import type { AssignmentsMessage, Node } from "../types/index.ts";
import { AssignmentRouter } from "./assignment-router.ts";
import { Assignments, Heartbeat, SessionEnding, UpdateTaskStatus, type RemoteManager } from "./swarm-protocol.ts";
import { TaskStatusWriter } from "./task-status-writer.ts";

/** SwarmKit's dispatcher expires a node after this many missed heartbeat periods. */
export const HEARTBEAT_GRACE_PERIODS = 3;

/**
 * How long a node whose session connection broke (its daemon died: the kernel closed the socket, or
 * the keepalive gave up on a silent host) has to open a new session before it is marked down.
 */
export const SESSION_LOST_GRACE_MS = 2000;

/** Docker's Status.Message of a node whose heartbeats stopped. */
export const HEARTBEAT_FAILURE_MESSAGE = "heartbeat failure";

/** Status.Message of a node that left the swarm. */
export const NODE_LEFT_MESSAGE = "node left the swarm";

const DEFAULT_PERIOD_MS = 5000;

/**
 * How long the managers list sent with heartbeat answers is reused: reading it walks every node,
 * and a thousand nodes heartbeat 200 times a second.
 */
export const MANAGERS_REFRESH_MS = 1000;

/** What the dispatcher needs from its manager. */
export interface DispatcherOptions {
  store: ClusterStore;
  clusterId: string;
  /** This manager's node ID: it never marks itself down. */
  selfId: string;
  clock: Clock;
  logger: Logger;
  managers: () => RemoteManager[];
  /** Whether this manager leads raft: only the leader's dispatcher serves agents and marks nodes down (default: always). */
  isLeader?: () => boolean;
}

/** One agent's open assignments stream. */
interface Session {
  nodeId: string;
  abort: AbortController;
}

/**
 * The agents' side of the managers (SwarmKit's `Dispatcher`), served by the raft leader only:
 * - `Heartbeat`: a node that heartbeats is marked ready; one silent for {@link HEARTBEAT_GRACE_PERIODS}
 *   periods is marked down ("heartbeat failure"). Nodes not heard from since this manager started
 *   leading get the same grace.
 * - `Assignments`: a stream per node of the tasks assigned to it (and the secrets and configs they
 *   use), complete first, then changes; every stream is fed from one store watch (`AssignmentRouter`).
 *   A node whose stream breaks without `SessionEnding` (its daemon died or its host went silent) is
 *   marked down after {@link SESSION_LOST_GRACE_MS} unless it opens a new one: much sooner than the
 *   heartbeat grace.
 * - `UpdateTaskStatus`: agents' task status changes, written in batches.
 */
export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #log: Logger;
  readonly #statuses: TaskStatusWriter;
  readonly #router: AssignmentRouter;
  /** When each node was last heard from (ms on the clock). */
  readonly #lastSeen = new Map<string, number>();
  /** Open sessions by node. */
  readonly #sessions = new Map<string, Set<Session>>();
  /** Nodes whose last session broke, and when. */
  readonly #sessionLostAt = new Map<string, number>();
  #startedAt = 0;
  #timer: Timer | null = null;
  #checking = false;
  #wasLeader = false;
  #managersCache: { at: number; managers: RemoteManager[] } | null = null;

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#log = options.logger.with({ module: "dispatcher" });
    this.#statuses = new TaskStatusWriter({ store: options.store, clock: options.clock, logger: options.logger });
    this.#router = new AssignmentRouter({ store: options.store, logger: options.logger });
  }

  /** The heartbeat period the cluster's `Dispatcher.HeartbeatPeriod` sets, in milliseconds. */
  periodMs(): number {
    const cluster = this.#options.store.view((tx) => tx.get("cluster", this.#options.clusterId));
    const ns = cluster?.Spec.Dispatcher.HeartbeatPeriod ?? 0;
    return ns > 0 ? Math.max(1, Math.round(ns / 1e6)) : DEFAULT_PERIOD_MS;
  }

  /** Serves the dispatcher's methods on `rpc`. */
  register(rpc: RpcServer): RpcServer {
    return rpc
      .unary(Heartbeat, async (_request, context) => {
        const nodeId = this.#caller(context);
        await this.heartbeat(nodeId);
        const role = this.#options.store.view((tx) => tx.get("nodes", nodeId))?.Spec.Role ?? "worker";
        return { periodMs: this.periodMs(), managers: this.#managers(), role };
      })
      .stream(Assignments, (_request, context) => this.#assignments(this.#caller(context), context.signal))
      .unary(UpdateTaskStatus, async (request, context) => {
        const nodeId = this.#caller(context);
        if (!Array.isArray(request.updates)) throw new ShoalError("invalid_argument", "UpdateTaskStatus needs a list of updates");
        await this.#statuses.report(nodeId, request.updates);
        return {};
      })
      .unary(SessionEnding, async (request, context) => {
        const nodeId = this.#caller(context);
        this.#sessionLostAt.delete(nodeId);
        for (const session of this.#sessions.get(nodeId) ?? []) session.abort.abort();
        this.#sessions.delete(nodeId);
        if (request.reason === "leave") await this.#setState(nodeId, "down", NODE_LEFT_MESSAGE);
        this.#log.info("agent ended its session", { "node.id": nodeId, reason: request.reason });
        return {};
      });
  }

  /** The managers (leader first), read again at most every {@link MANAGERS_REFRESH_MS}. */
  #managers(): RemoteManager[] {
    const now = this.#options.clock.now();
    if (!this.#managersCache || now - this.#managersCache.at >= MANAGERS_REFRESH_MS) this.#managersCache = { at: now, managers: this.#options.managers() };
    return this.#managersCache.managers;
  }

  /** The calling node; unavailable (the agent moves on to the next manager) on a manager that does not lead. */
  #caller(context: CallContext): string {
    // unavailable: the agent's failover moves on to the next manager (the leader is listed first).
    if (!this.#leading()) throw new ShoalError("unavailable", "this manager is not the raft leader; talk to the leader");
    return context.peer!.nodeId;
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

  /** The assignments stream of `nodeId`, until the caller goes or this manager stops leading. */
  async *#assignments(nodeId: string, callerGone: AbortSignal): AsyncGenerator<AssignmentsMessage> {
    const session: Session = { nodeId, abort: new AbortController() };
    const signal = AbortSignal.any([callerGone, session.abort.signal]);
    const sessions = this.#sessions.get(nodeId) ?? new Set<Session>();
    this.#sessions.set(nodeId, sessions);
    sessions.add(session);
    this.#sessionLostAt.delete(nodeId);
    try {
      await this.heartbeat(nodeId);
      const messages = this.#router.open(nodeId, signal);
      this.#log.info("assignments session opened", { "node.id": nodeId });
      yield* messages;
    } finally {
      sessions.delete(session);
      if (sessions.size === 0) {
        this.#sessions.delete(nodeId);
        // Ended by SessionEnding or by losing leadership: not a sign of a dead node.
        if (!session.abort.signal.aborted) this.#sessionLostAt.set(nodeId, this.#options.clock.now());
      }
      this.#log.info("assignments session closed", { "node.id": nodeId });
    }
  }

  /** Starts watching for silent nodes. */
  start(): void {
    if (this.#timer) return;
    this.#startedAt = this.#options.clock.now();
    this.#arm();
  }

  /** Stops watching, ends every session and drops unwritten status reports; idempotent. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.#endSessions();
    this.#statuses.stop();
  }

  #endSessions(): void {
    for (const sessions of this.#sessions.values()) for (const session of sessions) session.abort.abort();
    this.#sessions.clear();
    this.#router.close();
  }

  #arm(): void {
    const interval = Math.max(50, Math.min(250, Math.floor(this.periodMs() / 4)));
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
   * On the leader, marks down every ready node (but this one) not heard from within the heartbeat
   * grace, or whose session broke more than {@link SESSION_LOST_GRACE_MS} ago without a new one. A
   * manager that just became leader gives every node the heartbeat grace anew; one that stopped
   * leading ends its sessions (the agents move to the new leader).
   */
  async check(): Promise<void> {
    const leading = this.#leading();
    if (leading && !this.#wasLeader) {
      this.#managersCache = null;
      this.#startedAt = this.#options.clock.now();
      this.#lastSeen.clear();
      this.#sessionLostAt.clear();
    }
    if (!leading && this.#wasLeader) this.#endSessions();
    this.#wasLeader = leading;
    if (!leading || this.#checking) return;
    this.#checking = true;
    try {
      const now = this.#options.clock.now();
      const grace = HEARTBEAT_GRACE_PERIODS * this.periodMs();
      const nodes: Node[] = this.#options.store.view((tx) => tx.find("nodes"));
      for (const node of nodes) {
        if (node.ID === this.#options.selfId || node.Status.State === "down") continue;
        const last = this.#lastSeen.get(node.ID) ?? this.#startedAt;
        const lostAt = this.#sessions.has(node.ID) ? undefined : this.#sessionLostAt.get(node.ID);
        // A heartbeat after the session broke says the node lives (it is opening a new session).
        const sessionLost = lostAt !== undefined && now - lostAt > SESSION_LOST_GRACE_MS && last <= lostAt;
        if (now - last <= grace && !sessionLost) continue;
        try {
          await this.#setState(node.ID, "down", HEARTBEAT_FAILURE_MESSAGE);
          this.#sessionLostAt.delete(node.ID);
          this.#log.info("node down: heartbeat failure", { "node.id": node.ID, "silent.ms": now - last, "session.lost": sessionLost });
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
