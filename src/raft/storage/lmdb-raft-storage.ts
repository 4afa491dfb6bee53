import { resolve } from "node:path";
import { ShoalError } from "../../lib/index.ts";
import type { PersistBatch, PersistedState, RaftStorage, StorageCipher } from "../raft-storage.ts";
import { CommitQueue } from "./commit-queue.ts";
import { openRaftDatabases, storageError, type RaftDatabases } from "./lmdb-layout.ts";
import { readRaftState } from "./lmdb-read.ts";
import { applyWrites, onlyAppends, prepareBatch, queueAppends, type PreparedWrite } from "./lmdb-write.ts";
import { LogShape } from "./log-shape.ts";
import { closedStorageError } from "./storage-errors.ts";

/** Directories open in this process: a second storage over one would not see the first one's queued writes. */
const OPEN_PATHS = new Set<string>();

/** Options of {@link LmdbRaftStorage.open}. */
export interface LmdbRaftStorageOptions {
  /** Seals entry data and snapshot data before they are written (the raft data-encryption key). */
  cipher?: StorageCipher;
}

/**
 * A member's raft state in one LMDB environment (the directory `<data-root>/raft`). Each durable
 * commit is one write transaction holding every batch submitted since the previous commit began
 * (group commit), and completes only once it is on disk (LMDB's own synced commit). Every stored record carries
 * a checksum; `load()` refuses a damaged or inconsistent store.
 */
export class LmdbRaftStorage implements RaftStorage {
  /** The environment's directory. */
  readonly path: string;
  readonly #dbs: RaftDatabases;
  readonly #cipher: StorageCipher | undefined;
  readonly #queue: CommitQueue<PreparedWrite>;
  /** What the store holds once every queued write is done; read lazily at the first load or write. */
  #shape: LogShape | null = null;
  #commitCount = 0;
  #closing: Promise<void> | null = null;

  private constructor(path: string, dbs: RaftDatabases, cipher: StorageCipher | undefined) {
    this.path = path;
    this.#dbs = dbs;
    this.#cipher = cipher;
    this.#queue = new CommitQueue((writes) => this.#commit(writes), "microtask");
  }

  /** Opens the raft state in the directory `path`, creating it when new. */
  static async open(path: string, options: LmdbRaftStorageOptions = {}): Promise<LmdbRaftStorage> {
    if (OPEN_PATHS.has(resolve(path))) throw new ShoalError("failed_precondition", `the raft state in ${path} is already open in this process`);
    const storage = new LmdbRaftStorage(path, openRaftDatabases(path), options.cipher);
    OPEN_PATHS.add(resolve(path));
    return storage;
  }

  /** How many durable LMDB commits were made: fewer than the batches when group commit worked. */
  get commitCount(): number {
    return this.#commitCount;
  }

  /** Reads the stored state once the writes submitted before are durable; refuses a damaged store. */
  async load(): Promise<PersistedState> {
    if (this.#closing) throw closedStorageError(this.path);
    await this.#queue.drained();
    if (this.#closing) throw closedStorageError(this.path);
    const state = readRaftState(this.#dbs, this.path, this.#cipher);
    this.#shape ??= LogShape.of(state);
    return state;
  }

  /** Writes a batch in the next commit; resolves once that commit is durable. */
  persist(batch: PersistBatch): Promise<void> {
    return this.#submit((shape) => {
      shape.check(batch);
      const write = prepareBatch(batch, batch.snapshot ? shape.keepsTail(batch.snapshot) : true, shape.lastIndex, this.#cipher);
      shape.apply(batch);
      return write;
    });
  }

  /** Drops the entries at or below `index` (a stored snapshot must cover them) in the next commit. */
  compact(index: number): Promise<void> {
    return this.#submit((shape) => {
      shape.checkCompact(index);
      return { compactTo: index };
    });
  }

  /** Waits for queued writes, then closes the environment; safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#queue.drained();
      try {
        await this.#dbs.root.close();
      } catch (error) {
        throw storageError(this.path, "close", error);
      } finally {
        OPEN_PATHS.delete(resolve(this.path));
      }
    })();
    return this.#closing;
  }

  #submit(prepare: (shape: LogShape) => PreparedWrite): Promise<void> {
    if (this.#closing) return Promise.reject(closedStorageError(this.path));
    let write: PreparedWrite;
    try {
      this.#shape ??= LogShape.of(readRaftState(this.#dbs, this.path, this.#cipher));
      write = prepare(this.#shape);
    } catch (error) {
      return Promise.reject(error instanceof ShoalError ? error : storageError(this.path, "prepare a write to", error));
    }
    return this.#queue.submit(write);
  }

  async #commit(writes: PreparedWrite[]): Promise<void> {
    try {
      // The common case (entries after the stored ones, a hard state) goes to LMDB's write thread as
      // plain puts; anything that reads what is stored (truncation, snapshot, compaction) runs in a
      // transaction callback. The environment syncs inside each commit (overlappingSync off), so the
      // commit resolves only once durable; `flushed` then adds nothing but stays as the contract.
      if (onlyAppends(writes)) await this.#dbs.root.batch(() => queueAppends(this.#dbs, writes));
      else await this.#dbs.root.childTransaction(() => applyWrites(this.#dbs, writes));
      await this.#dbs.root.flushed;
    } catch (error) {
      throw storageError(this.path, "write", error);
    }
    this.#commitCount++;
  }
}
