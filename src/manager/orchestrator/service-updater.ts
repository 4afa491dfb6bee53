import type { Service, Task } from "../../types/index.ts";

/**
 * The tasks of one slot of a service that are still meant to run (desired state running or
 * earlier): usually one; two while a start-first update overlaps the old and the new task.
 * For a global service a "slot" is a node: the tasks of the service on that node.
 */
export type Slot = readonly Task[];

/**
 * Rolls a service's dirty slots over to its current spec (SwarmKit's `update.Supervisor`). The
 * replicated and global orchestrators call {@link ServiceUpdater.update} whenever they find slots
 * whose tasks are dirty (see `isTaskDirty`); the updater replaces them batch by batch following
 * `Spec.UpdateConfig` (or `Spec.RollbackConfig` while `UpdateStatus.State` is `rollback_started`),
 * records progress in `Service.UpdateStatus`, and never touches clean slots.
 */
export interface ServiceUpdater {
  /**
   * Starts (or restarts, superseding the running one for this service) an update of `slots`.
   * Idempotent for the same service version: a call while an update of the same version runs
   * leaves it alone.
   */
  update(service: Service, slots: readonly Slot[]): void;
  /** Stops the update of `serviceId`, if any (the service was removed). */
  cancel(serviceId: string): void;
  /** Stops every update (leadership lost); nothing more is written. */
  stop(): Promise<void>;
}
