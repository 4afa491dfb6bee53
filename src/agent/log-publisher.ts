import { toShoalError, type Logger } from "../lib/index.ts";
import type { FailoverClient } from "../transport/index.ts";
import type { LogSubscription, PublishedLogLine, Task } from "../types/index.ts";
import { PublishLogs } from "./swarm-protocol.ts";
import type { TaskExecutor } from "./task-executor.ts";

/** Lines sent in one PublishLogs call at most, and how long lines gather before they go. */
const MAX_BATCH_LINES = 1000;
const BATCH_MS = 50;

/** One subscription this node serves. */
interface Active {
  subscription: LogSubscription;
  abort: AbortController;
  /** Tasks whose log is being read. */
  reading: Set<string>;
}

/**
 * The agent's side of the log broker: for each subscription the leader sends, reads the logs of
 * this node's matching tasks from the executor and publishes them in batches; without follow it
 * then says it is done (`close`). A following subscription picks up matching tasks assigned later.
 */
export class LogPublisher {
  readonly #nodeId: string;
  readonly #client: FailoverClient;
  readonly #executor: TaskExecutor | null;
  readonly #tasks: () => Task[];
  readonly #log: Logger;
  readonly #active = new Map<string, Active>();

  constructor(options: { nodeId: string; client: FailoverClient; executor: TaskExecutor | null; tasks: () => Task[]; logger: Logger }) {
    this.#nodeId = options.nodeId;
    this.#client = options.client;
    this.#executor = options.executor;
    this.#tasks = options.tasks;
    this.#log = options.logger;
  }

  /** A message of the ListenSubscriptions stream. */
  handle(subscription: LogSubscription): void {
    const active = this.#active.get(subscription.id);
    if (subscription.close) {
      active?.abort.abort();
      this.#active.delete(subscription.id);
      return;
    }
    if (active) return;
    const started: Active = { subscription, abort: new AbortController(), reading: new Set() };
    this.#active.set(subscription.id, started);
    void this.#serve(started).finally(() => {
      if (!subscription.options.follow) this.#active.delete(subscription.id);
    });
  }

  /** The assigned tasks changed: following subscriptions start reading new matching tasks. */
  tasksChanged(): void {
    for (const active of this.#active.values()) {
      if (!active.subscription.options.follow) continue;
      for (const task of this.#matching(active.subscription)) if (!active.reading.has(task.ID)) void this.#read(active, task);
    }
  }

  /** Ends every subscription (the stream to the leader ended). */
  stopAll(): void {
    for (const active of this.#active.values()) active.abort.abort();
    this.#active.clear();
  }

  #matching(subscription: LogSubscription): Task[] {
    const services = new Set(subscription.selector.serviceIds);
    const tasks = new Set(subscription.selector.taskIds);
    return this.#tasks().filter((task) => services.has(task.ServiceID) || tasks.has(task.ID));
  }

  async #serve(active: Active): Promise<void> {
    await Promise.all(this.#matching(active.subscription).map((task) => this.#read(active, task)));
    if (!active.subscription.options.follow && !active.abort.signal.aborted) await this.#send(active.subscription.id, [], true);
  }

  /** Reads one task's log into batches until it ends or the subscription does. */
  async #read(active: Active, task: Task): Promise<void> {
    if (active.reading.has(task.ID)) return;
    const lines = this.#executor?.logs(task.ID, active.subscription.options, active.abort.signal);
    // No container yet (the task is being prepared): a following subscription tries again when the task changes.
    if (!lines) return;
    active.reading.add(task.ID);
    let batch: PublishedLogLine[] = [];
    let sentAt = Date.now();
    try {
      for await (const line of lines) {
        batch.push({ ...line, taskId: task.ID, serviceId: task.ServiceID, nodeId: this.#nodeId });
        if (batch.length >= MAX_BATCH_LINES || Date.now() - sentAt >= BATCH_MS) {
          await this.#send(active.subscription.id, batch, false);
          batch = [];
          sentAt = Date.now();
        }
      }
    } catch (error) {
      if (!active.abort.signal.aborted) this.#log.warn("cannot read a task's log", { "task.id": task.ID, error: toShoalError(error).message });
    }
    if (batch.length > 0) await this.#send(active.subscription.id, batch, false);
  }

  async #send(subscriptionId: string, lines: PublishedLogLine[], close: boolean): Promise<void> {
    try {
      await this.#client.call(PublishLogs, { subscriptionId, lines, ...(close ? { close } : {}) }, { timeoutMs: 5000, maxRounds: 1 });
    } catch (error) {
      this.#log.debug("log lines lost", { subscription: subscriptionId, lines: lines.length, error: toShoalError(error).message });
    }
  }
}
