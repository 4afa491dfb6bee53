import { ShoalError, sleep, toShoalError, type Clock, type Logger } from "../lib/index.ts";
import type { RemoteManager } from "../manager/index.ts";
import type { ConnectionPool, FailoverClient, StreamMethod } from "../transport/index.ts";
import type { AssignedFile, AssignmentsMessage, Task, TaskStatusReport } from "../types/index.ts";
import { Assignments, Heartbeat, ListenSubscriptions, SessionEnding, UpdateTaskStatus } from "./swarm-protocol.ts";
import { LogPublisher } from "./log-publisher.ts";
import type { TaskExecutor } from "./task-executor.ts";

/** Each call to a manager gives up after this long (SwarmKit's agent: 5 s). */
export const CALL_TIMEOUT_MS = 5000;
/** Until a manager says otherwise. */
const DEFAULT_PERIOD_MS = 5000;
/** How long status reports gather before they go to the managers together. */
const STATUS_BATCH_MS = 20;
/** Longest wait between two attempts to open the assignments stream. */
const MAX_STREAM_BACKOFF_MS = 2000;

/** What a session needs: how to reach the managers, and what to do with what they say. */
export interface AgentSessionOptions {
  nodeId: string;
  pool: ConnectionPool;
  client: FailoverClient;
  /** The managers to try, leader first. */
  managers: () => readonly RemoteManager[];
  clock: Clock;
  logger: Logger;
  /** Runs the assigned tasks (null: the node only keeps its session, e.g. in tests). */
  executor: TaskExecutor | null;
  /** A heartbeat answer listed the managers (leader first). */
  onManagers: (managers: RemoteManager[]) => Promise<void> | void;
  /** A heartbeat answer gave the node's role in the store. */
  onRole: (role: "worker" | "manager") => void;
}

/**
 * A node's session with the managers (SwarmKit's agent `session`): heartbeats on the period the
 * dispatcher sets; the assignments stream, whose tasks go to the executor as one complete set after
 * every message; and the executor's status reports, sent in batches (again in full after a new
 * stream opens: the managers may have missed some). All of it fails over between managers, the
 * leader first.
 */
export class AgentSession {
  readonly #options: AgentSessionOptions;
  readonly #log: Logger;
  readonly #stopped = new AbortController();
  readonly #tasks = new Map<string, Task>();
  readonly #files = new Map<string, AssignedFile>();
  /** Status reports not yet accepted by a manager, latest per task. */
  readonly #unsent = new Map<string, TaskStatusReport>();
  #sending = false;
  #loops: Promise<unknown> = Promise.resolve();
  #stopping: Promise<void> | undefined;
  readonly #logs: LogPublisher;

  constructor(options: AgentSessionOptions) {
    this.#options = options;
    this.#log = options.logger.with({ module: "agent", "node.id": options.nodeId });
    this.#logs = new LogPublisher({ nodeId: options.nodeId, client: options.client, executor: options.executor, tasks: () => this.tasks(), logger: this.#log });
  }

  /** Starts heartbeating, the assignments stream and status reporting. */
  start(): this {
    this.#options.executor?.onStatus((reports) => this.#queue(reports));
    this.#loops = Promise.all([this.#heartbeats(), this.#assignmentsLoop(), this.#subscriptionsLoop()]);
    return this;
  }

  /** The tasks the managers assigned to this node, as last heard. */
  tasks(): Task[] {
    return [...this.#tasks.values()];
  }

  /**
   * Ends the session. `ending` tells the managers why (best effort, so that they do not take the
   * closed connection for a dead node): `restart` keeps the node's tasks for the heartbeat grace,
   * `leave` marks it down at once. Idempotent.
   */
  stop(ending?: "restart" | "leave"): Promise<void> {
    this.#stopping ??= (async () => {
      if (ending) {
        await this.#options.client
          .call(SessionEnding, { reason: ending }, { timeoutMs: 1000, maxRounds: 1 })
          .catch((error) => this.#log.debug("could not tell the managers the session ends", { error: toShoalError(error).message }));
      }
      this.#stopped.abort(new ShoalError("cancelled", "the agent stopped"));
      this.#logs.stopAll();
      await this.#loops;
    })();
    return this.#stopping;
  }

  async #heartbeats(): Promise<void> {
    const signal = this.#stopped.signal;
    let periodMs = DEFAULT_PERIOD_MS;
    let failures = 0;
    while (!signal.aborted) {
      let wait: number;
      try {
        const answer = await this.#options.client.call(Heartbeat, {}, { timeoutMs: CALL_TIMEOUT_MS, signal, maxRounds: 1 });
        periodMs = answer.periodMs > 0 ? answer.periodMs : DEFAULT_PERIOD_MS;
        if (failures > 0) this.#log.info("session to the managers restored");
        failures = 0;
        if (answer.managers.length > 0) await this.#options.onManagers(answer.managers);
        if (answer.role) this.#options.onRole(answer.role);
        wait = periodMs;
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        if (failures === 1 || failures % 10 === 0) this.#log.warn("heartbeat failed", { error: toShoalError(error).message, failures });
        wait = Math.min(periodMs, 100 * 2 ** Math.min(failures, 7));
      }
      await sleep(this.#options.clock, wait, signal).catch(() => {});
    }
  }

  /** Keeps the assignments stream open to the leader; after each (re)opening the managers get every status again. */
  #assignmentsLoop(): Promise<void> {
    return this.#leaderStream(
      Assignments,
      () => {
        // The managers may have missed reports while no stream was open.
        for (const report of this.#options.executor?.statuses() ?? []) this.#unsent.set(report.taskId, report);
      },
      (message) => this.#apply(message),
      () => {},
    );
  }

  /** Keeps the log subscriptions stream open to the leader. */
  #subscriptionsLoop(): Promise<void> {
    return this.#leaderStream(
      ListenSubscriptions,
      () => {},
      (subscription) => this.#logs.handle(subscription),
      () => this.#logs.stopAll(),
    );
  }

  /**
   * Keeps one stream of `method` open to the leader: tries the managers in order (followers refuse
   * with unavailable), reopens it when it ends, backing off while none answers.
   */
  async #leaderStream<Message>(method: StreamMethod<Record<string, never>, Message>, opened: () => void, handle: (message: Message) => void, ended: () => void): Promise<void> {
    const signal = this.#stopped.signal;
    let failures = 0;
    while (!signal.aborted) {
      for (const manager of this.#options.managers()) {
        if (signal.aborted) return;
        let first = true;
        try {
          const client = await this.#options.pool.client(manager.Addr);
          for await (const message of client.stream(method, {}, { signal })) {
            if (first) {
              first = false;
              failures = 0;
              this.#log.debug("stream to the leader opened", { method: method.name, manager: manager.Addr });
              opened();
            }
            handle(message);
          }
        } catch (error) {
          if (signal.aborted) return;
          const failure = toShoalError(error);
          if (failure.code !== "unavailable") this.#log.debug("stream to the leader ended", { method: method.name, manager: manager.Addr, error: failure.message });
        } finally {
          if (!first) ended();
        }
      }
      failures++;
      await sleep(this.#options.clock, Math.min(MAX_STREAM_BACKOFF_MS, 50 * 2 ** Math.min(failures, 6)), signal).catch(() => {});
    }
  }

  #apply(message: AssignmentsMessage): void {
    if (message.type === "complete") {
      this.#tasks.clear();
      this.#files.clear();
    }
    for (const id of message.removeTasks) this.#tasks.delete(id);
    for (const task of message.updateTasks) this.#tasks.set(task.ID, task);
    for (const id of message.removeFiles) this.#files.delete(id);
    for (const file of message.updateFiles) this.#files.set(file.ID, { ...file, data: new Uint8Array(file.data) });
    this.#options.executor?.reconcile([...this.#tasks.values()], [...this.#files.values()]);
    this.#logs.tasksChanged();
    void this.#send();
  }

  #queue(reports: TaskStatusReport[]): void {
    for (const report of reports) this.#unsent.set(report.taskId, report);
    this.#logs.tasksChanged(); // a container that now exists can be followed
    void this.#send();
  }

  /** Sends the unsent reports in batches until none are left or no manager takes them. */
  async #send(): Promise<void> {
    if (this.#sending) return;
    this.#sending = true;
    const signal = this.#stopped.signal;
    try {
      let failures = 0;
      while (this.#unsent.size > 0 && !signal.aborted) {
        await sleep(this.#options.clock, failures === 0 ? STATUS_BATCH_MS : Math.min(5000, 100 * 2 ** failures), signal).catch(() => {});
        if (signal.aborted) return;
        const batch = [...this.#unsent.values()];
        try {
          await this.#options.client.call(UpdateTaskStatus, { updates: batch }, { timeoutMs: CALL_TIMEOUT_MS, signal, maxRounds: 1 });
          for (const report of batch) if (this.#unsent.get(report.taskId) === report) this.#unsent.delete(report.taskId);
          failures = 0;
        } catch (error) {
          failures++;
          if (failures === 1 || failures % 10 === 0) this.#log.warn("cannot report task status yet", { error: toShoalError(error).message, reports: batch.length });
        }
      }
    } finally {
      this.#sending = false;
    }
  }
}
