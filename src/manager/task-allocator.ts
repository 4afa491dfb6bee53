import { toShoalError, type Logger } from "../lib/index.ts";
import type { ClusterStore } from "../store/index.ts";
import type { Task } from "../types/index.ts";

/** Status.Message of a task waiting for a node (SwarmKit's words). */
export const PENDING_MESSAGE = "pending task scheduling";

/** Tasks moved to pending in one store write at most. */
const BATCH_LIMIT = 5000;

/**
 * The allocator's place in the task pipeline (SwarmKit's `allocator`): takes tasks the orchestrators
 * made (`new`) to `pending`, where the scheduler picks them up. Network attachments and service
 * VIPs are allocated here once overlay networks exist; for now a task needs nothing allocated.
 * Runs on the raft leader only.
 */
export class TaskAllocator {
  readonly #store: ClusterStore;
  readonly #log: Logger;
  readonly #stopped = new AbortController();
  #loop: Promise<void> = Promise.resolve();

  constructor(options: { store: ClusterStore; logger: Logger }) {
    this.#store = options.store;
    this.#log = options.logger.with({ module: "allocator" });
  }

  start(): void {
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#stopped.signal;
    const [initial, watch] = this.#store.viewAndWatch((tx) => tx.find("tasks", { index: "state", key: "new" }).map((task) => task.ID), {
      table: "tasks",
      kinds: ["create", "update", "commit"],
      signal,
    });
    const waiting = new Set<string>(initial);
    try {
      await this.#allocate(waiting);
      for await (const event of watch) {
        if (event.kind === "commit") {
          await this.#allocate(waiting);
        } else if (event.object.Status.State === "new") {
          waiting.add(event.object.ID);
        }
      }
    } catch (error) {
      if (!signal.aborted) this.#log.error("allocator stopped", { error: toShoalError(error).message });
    }
  }

  /** Moves the waiting tasks that are still new to pending. */
  async #allocate(waiting: Set<string>): Promise<void> {
    while (waiting.size > 0 && !this.#stopped.signal.aborted) {
      const batch = [...waiting].slice(0, BATCH_LIMIT);
      for (const id of batch) waiting.delete(id);
      try {
        await this.#store.update((tx) => {
          const now = new Date().toISOString();
          for (const id of batch) {
            const task: Task | undefined = tx.get("tasks", id);
            if (!task || task.Status.State !== "new") continue;
            tx.update("tasks", { ...task, Status: { Timestamp: now, State: "pending", Message: PENDING_MESSAGE } });
          }
        });
      } catch (error) {
        // Raced with another writer: look at these tasks again on the next commit.
        for (const id of batch) waiting.add(id);
        this.#log.warn("cannot move tasks to pending; retrying", { error: toShoalError(error).message });
        return;
      }
    }
  }
}
