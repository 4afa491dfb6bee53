import { ShoalError, toShoalError } from "../../lib/index.ts";
import type { ClusterStore } from "../../store/index.ts";
import type { Task } from "../../types/index.ts";
import type { PlacementDecision } from "./place-tasks.ts";

/** Status.Message of a task the scheduler placed (SwarmKit's words). */
export const ASSIGNED_MESSAGE = "scheduler assigned task to node";
/** Status.Message of a preassigned task whose node was confirmed (SwarmKit's words). */
export const PREASSIGNED_MESSAGE = "scheduler confirmed task can run on preassigned node";

/** Decisions per store transaction by default: a few thousand tasks stay under the proposal size limit. */
export const DEFAULT_BATCH_SIZE = 2000;

/** What became of a set of decisions. */
export interface WriteOutcome {
  /** IDs of the tasks whose decision is in the store. The others were skipped (the task changed since) or not written. */
  readonly written: ReadonlySet<string>;
  /** Why writing stopped early, if it did. */
  readonly error?: ShoalError;
}

/**
 * Commits scheduling decisions in as few store transactions as the proposal size allows (one raft
 * proposal each), re-reading every task inside the transaction: a task whose version moved since the
 * decision (deleted, desired state changed, placed by someone else) is skipped, never overwritten.
 * A transaction refused as too large is split in halves, and later ones are made smaller.
 */
export class DecisionWriter {
  readonly #store: ClusterStore;
  #batchSize: number;

  constructor(store: ClusterStore, batchSize = DEFAULT_BATCH_SIZE) {
    this.#store = store;
    this.#batchSize = Math.max(1, batchSize);
  }

  /**
   * Writes `decisions`, stamping changed statuses with `now` (RFC 3339). Stops at the first failed
   * transaction, or before the next one once `signal` aborts (the scheduler stopped).
   */
  async write(decisions: readonly PlacementDecision[], now: string, signal?: AbortSignal): Promise<WriteOutcome> {
    const written = new Set<string>();
    let start = 0;
    while (start < decisions.length) {
      if (signal?.aborted) return { written, error: new ShoalError("cancelled", "the scheduler stopped before writing every decision") };
      const size = this.#batchSize;
      const error = await this.#writeChunk(decisions.slice(start, start + size), now, written);
      if (error) return { written, error };
      start += size;
    }
    return { written };
  }

  async #writeChunk(chunk: readonly PlacementDecision[], now: string, written: Set<string>): Promise<ShoalError | undefined> {
    try {
      const applied = await this.#store.update((tx) => {
        const ids: string[] = [];
        for (const decision of chunk) {
          const current = tx.get("tasks", decision.task.ID);
          if (!current || current.Version.Index !== decision.task.Version.Index) continue;
          const next = decidedTask(current, decision, now);
          if (next) {
            tx.update("tasks", next);
            ids.push(current.ID);
          }
        }
        return ids;
      });
      for (const id of applied) written.add(id);
      return undefined;
    } catch (error) {
      const failure = toShoalError(error);
      if (failure.code !== "resource_exhausted" || chunk.length <= 1) return failure;
      const half = Math.ceil(chunk.length / 2);
      this.#batchSize = Math.max(1, Math.min(this.#batchSize, half));
      return (await this.#writeChunk(chunk.slice(0, half), now, written)) ?? (await this.#writeChunk(chunk.slice(half), now, written));
    }
  }
}

/** The task as `decision` leaves it, or undefined when nothing changes (the same error is already recorded). */
function decidedTask(current: Task, decision: PlacementDecision, now: string): Task | undefined {
  if (decision.kind === "assigned") {
    const Message = decision.preassigned ? PREASSIGNED_MESSAGE : ASSIGNED_MESSAGE;
    return { ...current, NodeID: decision.nodeId, Status: { State: "assigned", Message, Timestamp: now } };
  }
  if (current.Status.Err === decision.reason) return undefined;
  return { ...current, Status: { ...current.Status, Err: decision.reason, Timestamp: now } };
}
