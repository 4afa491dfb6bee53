import { AsyncQueue, ShoalError, newId, type Logger } from "../lib/index.ts";
import type { ClusterStore } from "../store/index.ts";
import type { CallContext, RpcServer } from "../transport/index.ts";
import { compareTaskStates, type LogOptions, type LogSelector, type LogSubscription } from "../types/index.ts";
import { ListenSubscriptions, PublishLogs, SubscribeLogs, type LogBatch } from "./log-protocol.ts";

/** One `service logs` (or `task logs`) request being served. */
interface Subscription {
  message: LogSubscription;
  out: AsyncQueue<LogBatch>;
  /** Nodes that have not said they sent everything (not following only). */
  waitingFor: Set<string>;
}

/** An agent's open ListenSubscriptions stream. */
interface Listener {
  nodeId: string;
  queue: AsyncQueue<LogSubscription>;
}

/** Docker's words for a node whose logs cannot be had (moby#37336). */
export function unavailableNodeWarning(nodeId: string): string {
  return `node ${nodeId} is not available`;
}

/**
 * Gathers task logs from the nodes (SwarmKit's `LogBroker`), on the raft leader: agents keep a
 * `ListenSubscriptions` stream open; a subscription goes to every node that runs (or ran) a
 * matching task — to every listening node when following, since new tasks may land anywhere — and
 * the nodes `PublishLogs` back. Without follow the subscription ends once every node asked has
 * closed, or has gone (then with a warning naming it).
 */
export class LogBroker {
  readonly #store: ClusterStore;
  readonly #log: Logger;
  readonly #isLeader: () => boolean;
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #subscriptions = new Map<string, Subscription>();

  constructor(options: { store: ClusterStore; logger: Logger; isLeader: () => boolean }) {
    this.#store = options.store;
    this.#log = options.logger.with({ module: "logbroker" });
    this.#isLeader = options.isLeader;
  }

  /** Serves the broker's methods on `rpc`. */
  register(rpc: RpcServer): RpcServer {
    return rpc
      .stream(ListenSubscriptions, (_request, context) => this.#listen(this.#caller(context), context.signal))
      .unary(PublishLogs, (request, context) => {
        this.#publish(this.#caller(context), request.subscriptionId, request.lines ?? [], request.close === true);
        return {};
      })
      .stream(SubscribeLogs, (request, context) => {
        this.#caller(context);
        return this.subscribe(request.selector, request.options, context.signal);
      });
  }

  #caller(context: CallContext): string {
    if (!this.#isLeader()) throw new ShoalError("unavailable", "this manager is not the raft leader; talk to the leader");
    return context.peer!.nodeId;
  }

  /** The logs of the tasks `selector` names, in batches, until done (or `signal`). */
  async *subscribe(selector: LogSelector, options: LogOptions, signal: AbortSignal): AsyncGenerator<LogBatch> {
    // Nodes that run a matching task, nodes that only hold finished ones, and tasks with no node yet.
    const { nodes, live, unscheduled } = this.#store.view((tx) => {
      const tasks = [...selector.serviceIds.flatMap((serviceId) => tx.find("tasks", { index: "service", key: serviceId })), ...selector.taskIds.flatMap((taskId) => tx.get("tasks", taskId) ?? [])];
      const nodes = new Set<string>();
      const live = new Set<string>();
      const unscheduled: string[] = [];
      for (const task of tasks) {
        const running = compareTaskStates(task.DesiredState, "running") <= 0;
        if (!task.NodeID) {
          if (running) unscheduled.push(task.ID);
          continue;
        }
        nodes.add(task.NodeID);
        if (running) live.add(task.NodeID);
      }
      return { nodes, live, unscheduled };
    });
    const message: LogSubscription = { id: newId(), selector, options };
    const subscription: Subscription = { message, out: new AsyncQueue(), waitingFor: new Set() };
    this.#subscriptions.set(message.id, subscription);
    const warnings: string[] = unscheduled.map((taskId) => `task ${taskId} has not been scheduled`);
    const targets = options.follow ? new Set([...nodes, ...this.#listeners.keys()]) : nodes;
    for (const nodeId of targets) {
      const listeners = this.#listeners.get(nodeId);
      if (!listeners || listeners.size === 0) {
        // Better than swarm mode: a gone node that only held finished tasks does not spoil the logs of the others.
        if (live.has(nodeId)) warnings.push(unavailableNodeWarning(nodeId));
        continue;
      }
      if (!options.follow) subscription.waitingFor.add(nodeId);
      for (const listener of listeners) listener.queue.push(message);
    }
    if (warnings.length > 0) subscription.out.push({ lines: [], warnings });
    if (!options.follow && subscription.waitingFor.size === 0) subscription.out.end();
    const onAbort = () => subscription.out.end();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const batch of subscription.out) yield batch;
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.#subscriptions.delete(message.id);
      for (const listeners of this.#listeners.values()) for (const listener of listeners) listener.queue.push({ ...message, close: true });
    }
  }

  async *#listen(nodeId: string, signal: AbortSignal): AsyncGenerator<LogSubscription> {
    const listener: Listener = { nodeId, queue: new AsyncQueue() };
    const listeners = this.#listeners.get(nodeId) ?? new Set<Listener>();
    this.#listeners.set(nodeId, listeners);
    listeners.add(listener);
    // Subscriptions that follow already concern this node too.
    for (const subscription of this.#subscriptions.values()) if (subscription.message.options.follow) listener.queue.push(subscription.message);
    const onAbort = () => listener.queue.end();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const message of listener.queue) yield message;
    } finally {
      signal.removeEventListener("abort", onAbort);
      listeners.delete(listener);
      if (listeners.size === 0) {
        this.#listeners.delete(nodeId);
        // A node that went away sends nothing more.
        for (const subscription of this.#subscriptions.values()) {
          if (!subscription.waitingFor.delete(nodeId)) continue;
          subscription.out.push({ lines: [], warnings: [unavailableNodeWarning(nodeId)] });
          if (subscription.waitingFor.size === 0) subscription.out.end();
        }
      }
    }
  }

  #publish(nodeId: string, subscriptionId: string, lines: LogBatch["lines"], close: boolean): void {
    const subscription = this.#subscriptions.get(subscriptionId);
    if (!subscription) return;
    const own = lines.filter((line) => line.nodeId === nodeId);
    if (own.length > 0) subscription.out.push({ lines: own });
    if (close && subscription.waitingFor.delete(nodeId) && subscription.waitingFor.size === 0) subscription.out.end();
  }

  /** Ends every stream (leadership lost or the manager stops). */
  stop(): void {
    for (const listeners of this.#listeners.values()) for (const listener of listeners) listener.queue.end();
    for (const subscription of this.#subscriptions.values()) subscription.out.end(new ShoalError("unavailable", "the manager serving these logs stopped leading; try again"));
    this.#log.debug("log broker stopped");
  }
}
