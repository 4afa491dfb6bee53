import type { Clock } from "../../lib/index.ts";

/**
 * Counts the failures of the tasks one update created (SwarmKit's `updatedTasks` and failure
 * ratio): a new task that stops before it runs, or within the monitor period after it started
 * running, is a failure; once failures / slots being updated exceeds the ratio, the update's
 * failure action applies.
 */
export class FailureMonitor {
  readonly #clock: Clock;
  readonly #monitorMs: number;
  readonly #slots: number;
  readonly #maxRatio: number;
  /** Task ID → when it was seen running (null until then). */
  readonly #created = new Map<string, number | null>();
  readonly #failed = new Set<string>();

  constructor(clock: Clock, options: { monitorMs: number; slots: number; maxFailureRatio: number }) {
    this.#clock = clock;
    this.#monitorMs = options.monitorMs;
    this.#slots = Math.max(1, options.slots);
    this.#maxRatio = options.maxFailureRatio;
  }

  /** Failures counted so far. */
  get failures(): number {
    return this.#failed.size;
  }

  /** Records a task this update creates: from now on its failures count. */
  track(taskId: string): void {
    if (!this.#created.has(taskId)) this.#created.set(taskId, null);
  }

  /** Records that the task reached running (or beyond): its monitor period starts now. */
  started(taskId: string): void {
    if (this.#created.get(taskId) === null) this.#created.set(taskId, this.#clock.now());
  }

  /**
   * Records that `taskId` stopped without being asked to. True when it counts (a task of this
   * update, not counted before, within its monitor period) and takes the failures over the ratio.
   */
  failed(taskId: string): boolean {
    if (!this.#created.has(taskId) || this.#failed.has(taskId)) return false;
    const startedAt = this.#created.get(taskId) ?? null;
    if (startedAt !== null && this.#clock.now() - startedAt > this.#monitorMs) return false;
    this.#failed.add(taskId);
    return this.#failed.size / this.#slots > this.#maxRatio;
  }
}
