import type { Clock, Logger } from "../../lib/index.ts";
import type { ClusterStore } from "../../store/index.ts";
import { ConstraintEnforcer } from "./constraint-enforcer.ts";
import { GlobalOrchestrator } from "./global-orchestrator.ts";
import { JobsOrchestrator } from "./jobs-orchestrator.ts";
import { ReplicatedOrchestrator } from "./replicated-orchestrator.ts";
import { RestartSupervisor } from "./restart-supervisor.ts";
import type { ServiceUpdater } from "./service-updater.ts";
import { TaskReaper } from "./task-reaper.ts";

/** What {@link Orchestration} needs from its manager. */
export interface OrchestrationOptions {
  store: ClusterStore;
  clock: Clock;
  logger: Logger;
  /** The cluster object's ID (its task history limit). */
  clusterId: string;
  /** The rolling updater the orchestrators hand outdated slots to; stopped with the orchestration. */
  updater: ServiceUpdater;
}

/** One of the loops the orchestration runs. */
interface Part {
  start(): void;
  stop(): Promise<void>;
}

/**
 * The managers' orchestration, run on the raft leader only (one instance per term of leadership):
 * the restart supervisor, the replicated, global and jobs orchestrators, the constraint enforcer and
 * the task reaper, each a loop over the store (see README.md). `start()` reconciles everything from a
 * fresh read of the store, then each loop follows the store's events; nothing it writes depends on
 * memory of an earlier leader, so a new leader (or a second start) creates no duplicate tasks.
 */
export class Orchestration {
  readonly #updater: ServiceUpdater;
  readonly #restarts: RestartSupervisor;
  readonly #parts: Part[];
  #running = false;

  constructor(options: OrchestrationOptions) {
    const { store, clock, logger, clusterId, updater } = options;
    this.#updater = updater;
    this.#restarts = new RestartSupervisor({ store, clock, logger });
    const shared = { store, clock, logger, restarts: this.#restarts, updater };
    this.#parts = [
      this.#restarts,
      new ReplicatedOrchestrator(shared),
      new GlobalOrchestrator(shared),
      new JobsOrchestrator(shared),
      new ConstraintEnforcer({ store, clock, logger }),
      new TaskReaper({ store, clusterId, clock, logger }),
    ];
  }

  /** Starts every loop (no-op while running). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const part of this.#parts) part.start();
  }

  /** Stops every loop, the pending restarts and the updater; idempotent. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    for (const part of [...this.#parts].reverse()) await part.stop();
    this.#restarts.cancelAll();
    await this.#updater.stop();
  }
}
