import { ShoalError } from "../../lib/index.ts";
import type { PersistBatch, PersistedState, RaftStorage } from "../raft-storage.ts";
import { CommitQueue } from "./commit-queue.ts";
import { LogShape } from "./log-shape.ts";
import { MemoryDisk, copyBatch, type StorageOp } from "./memory-disk.ts";
import { closedStorageError, corruptStateError } from "./storage-errors.ts";

const WHERE = "memory";

/** How a {@link MemoryRaftStorage} behaves like a disk. */
export interface MemoryRaftStorageOptions {
  /**
   * Called when a sync starts; the sync completes (its batches become durable) when `complete` is
   * called. The default completes it on the next microtask; the simulator can hold it (a slow disk).
   */
  sync?: (complete: () => void) => void;
}

const nextMicrotask = (complete: () => void) => queueMicrotask(complete);

/**
 * Raft storage in memory that behaves like a disk, for unit tests and the deterministic simulator.
 * A batch becomes durable when its sync completes; batches submitted while a sync is pending go
 * into the next one (group commit). `crash()` is a power loss: what was not durable is gone, and
 * `reopen()` gives a new member's view of the same disk.
 */
export class MemoryRaftStorage implements RaftStorage {
  readonly #options: MemoryRaftStorageOptions;
  readonly #sync: (complete: () => void) => void;
  readonly #queue: CommitQueue<StorageOp>;
  #disk = new MemoryDisk();
  #shape = new LogShape();
  #syncCount = 0;
  #crashed = false;
  #closed = false;

  constructor(options: MemoryRaftStorageOptions = {}) {
    this.#options = options;
    this.#sync = options.sync ?? nextMicrotask;
    this.#queue = new CommitQueue((ops) => this.#write(ops), "now");
  }

  /** How many syncs have completed: fewer than the batches when group commit worked. */
  get syncCount(): number {
    return this.#syncCount;
  }

  /** Reads what is durable (batches still waiting for their sync are not included). */
  load(): Promise<PersistedState> {
    if (this.#closed) return Promise.reject(closedStorageError(WHERE));
    const state = this.#disk.read();
    const problem = LogShape.problemIn(state);
    return problem ? Promise.reject(corruptStateError(WHERE, problem)) : Promise.resolve(state);
  }

  /** Queues a batch; resolves once its sync completed. */
  persist(batch: PersistBatch): Promise<void> {
    return this.#submit(() => {
      this.#shape.check(batch);
      const copy = copyBatch(batch);
      this.#shape.apply(copy);
      return { batch: copy };
    });
  }

  /** Queues dropping the entries at or below `index`, which a stored snapshot must cover. */
  compact(index: number): Promise<void> {
    return this.#submit(() => {
      this.#shape.checkCompact(index);
      return { compactTo: index };
    });
  }

  /** Waits for pending syncs, then refuses further calls; safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue.drained();
  }

  /** Power loss: batches whose sync has not completed are lost and their promises reject (unavailable). */
  crash(): void {
    if (this.#crashed) return;
    this.#crashed = true;
    this.#queue.fail(new ShoalError("unavailable", "storage crashed"));
  }

  /** A fresh storage over the same disk (a restarted member); this one must be closed or crashed. */
  reopen(options: MemoryRaftStorageOptions = this.#options): MemoryRaftStorage {
    if (!this.#closed && !this.#crashed) {
      throw new ShoalError("failed_precondition", "cannot reopen a memory raft storage that is still open; close() or crash() it first");
    }
    const next = new MemoryRaftStorage(options);
    next.#disk = this.#disk;
    next.#shape = LogShape.of(this.#disk.state);
    return next;
  }

  #submit(prepare: () => StorageOp): Promise<void> {
    if (this.#crashed) return Promise.reject(new ShoalError("unavailable", "storage crashed"));
    if (this.#closed) return Promise.reject(closedStorageError(WHERE));
    let op: StorageOp;
    try {
      op = prepare();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#queue.submit(op);
  }

  #write(ops: StorageOp[]): Promise<void> {
    return new Promise((resolve) => {
      let completed = false;
      this.#sync(() => {
        if (completed || this.#crashed) return;
        completed = true;
        for (const op of ops) this.#disk.apply(op);
        this.#syncCount++;
        resolve();
      });
    });
  }
}
