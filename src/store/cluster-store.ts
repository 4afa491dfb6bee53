import { ShoalError, isErrorCode, silentLogger, systemClock, toShoalError, type Clock, type ErrorCode, type Logger } from "../lib/index.ts";
import type { LogEntry, StateMachine } from "../raft/index.ts";
import type { StoredObject } from "../types/index.ts";
import { Changeset } from "./changeset.ts";
import { decodeProposal, decodeSnapshot, encodeProposal, encodeSnapshot } from "./store-codec.ts";
import type { StoreCipher } from "./store-cipher.ts";
import { StoreTx, type ReadTx, type TableName, type TableObject, type WriteTx } from "./store-tx.ts";
import { WatchHub, type StoreWatch } from "./store-watch.ts";
import { TableData } from "./table-data.ts";
import type { TableDefinitions } from "./table.ts";
import { SWARM_TABLES, type SwarmTables } from "./tables/swarm-tables.ts";

/** Hands a proposal to raft and resolves with what the store's `apply` returned for it (RaftNode.propose on the leader). */
export type Propose = (data: Uint8Array) => Promise<unknown>;

/** Largest proposal a transaction may make (SwarmKit's limit: 1.5 MiB). */
export const MAX_PROPOSAL_BYTES = 1.5 * 1024 * 1024;

/** Options of {@link ClusterStore}. */
export interface ClusterStoreOptions<D extends TableDefinitions> {
  /** The tables (default: the swarm's). */
  tables?: D;
  /** Where writes go; without one (and until {@link ClusterStore.setProposer}) the store runs alone and applies its own writes. */
  propose?: Propose | null;
  /** Seals secret data in proposals and snapshots (the raft data key); without it secrets are kept as they are. */
  cipher?: StoreCipher;
  /** Stamps CreatedAt and UpdatedAt (on the proposing manager). */
  clock?: Clock;
  logger?: Logger;
  maxProposalBytes?: number;
}

/** A change to one object of table `K`. */
export type ChangeEvent<D extends TableDefinitions, K extends TableName<D> = TableName<D>> = {
  [T in K]:
    | { kind: "create"; table: T; object: TableObject<D, T>; oldObject?: undefined }
    | { kind: "update"; table: T; object: TableObject<D, T>; oldObject: TableObject<D, T> }
    /** `object` is the object as it was when deleted. */
    | { kind: "delete"; table: T; object: TableObject<D, T>; oldObject?: undefined };
}[K];

/** Published after the changes of one applied entry. */
export interface CommitEvent {
  kind: "commit";
  /** The raft index of the entry. */
  index: number;
}

/** Every event a store publishes. */
export type StoreEvent<D extends TableDefinitions> = ChangeEvent<D> | CommitEvent;

/** The kinds of store events. */
export type StoreEventKind = StoreEvent<TableDefinitions>["kind"];

/** What to watch: by default every change of every table, without commit events. */
export interface StoreWatchOptions<D extends TableDefinitions, K extends TableName<D>, E> {
  /** Only changes to these tables (commit events pass when asked for). */
  table?: K | readonly K[];
  /** Only these kinds (default create, update, delete; add "commit" to get one after each applied entry). */
  kinds?: readonly StoreEventKind[];
  filter?: (event: E) => boolean;
  queueLimit?: number;
  signal?: AbortSignal;
}

/** What `apply` returns for each entry (and what the proposer's promise resolves with). */
export type StoreApplyResult = { ok: true; index: number } | { ok: false; index: number; error: { code: ErrorCode; message: string } };

const DEFAULT_KINDS: readonly StoreEventKind[] = ["create", "update", "delete"];

/**
 * The replicated cluster store: typed tables with indexes, read transactions on a consistent view,
 * write transactions that become one raft proposal each and apply atomically, in log order, on every
 * manager (it is raft's {@link StateMachine}); watch streams; deterministic snapshots. See README.md.
 */
export class ClusterStore<D extends TableDefinitions = SwarmTables> implements StateMachine {
  readonly #definitions: D;
  readonly #tables = new Map<string, TableData>();
  readonly #hub = new WatchHub<StoreEvent<D>>();
  readonly #cipher: StoreCipher | undefined;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #maxProposalBytes: number;
  #propose: Propose | null;
  #index = 0;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(options: ClusterStoreOptions<D> = {}) {
    this.#definitions = options.tables ?? (SWARM_TABLES as unknown as D);
    for (const [name, definition] of Object.entries(this.#definitions)) this.#tables.set(name, new TableData(definition));
    this.#propose = options.propose ?? null;
    this.#cipher = options.cipher;
    this.#clock = options.clock ?? systemClock;
    this.#log = (options.logger ?? silentLogger).with({ module: "store" });
    this.#maxProposalBytes = options.maxProposalBytes ?? MAX_PROPOSAL_BYTES;
  }

  /** The raft index of the last entry applied (0 for an empty store). */
  get index(): number {
    return this.#index;
  }

  /** Number of open watchers. */
  get watchers(): number {
    return this.#hub.size;
  }

  /** Sets (or clears) where writes go: the raft node is made after its state machine. */
  setProposer(propose: Propose | null): void {
    this.#propose = propose;
  }

  /** Runs `fn` on a consistent view. `fn` must be synchronous: nothing applies while it runs, and the view ends when it returns. */
  view<R>(fn: (tx: ReadTx<D>) => R): R {
    const tx = new StoreTx<D>(new Changeset(this.#tables), false, () => this.#now());
    try {
      return refuseAsync(fn(tx), "view");
    } finally {
      tx.close();
    }
  }

  /**
   * Runs `fn` (synchronously) in a write transaction, after earlier updates of this store finished.
   * Its changes go to raft as one proposal; the promise resolves with `fn`'s result once the entry
   * applied here, or rejects with why it was refused (a stale Version, a name taken meanwhile…) —
   * then nothing of it applied. A proposal that fails leaves the store as it was, unless raft says
   * the outcome is unknown ("may or may not take effect").
   */
  update<R>(fn: (tx: WriteTx<D>) => R): Promise<R> {
    const run = this.#writes.then(() => this.#update(fn));
    this.#writes = run.catch(() => undefined);
    return run;
  }

  /** Takes a view and starts watching in one step: no change falls between the two. */
  viewAndWatch<R, K extends TableName<D> = TableName<D>>(
    fn: (tx: ReadTx<D>) => R,
    options: StoreWatchOptions<D, K, ChangeEvent<D, K> | CommitEvent> = {},
  ): [R, StoreWatch<ChangeEvent<D, K> | CommitEvent>] {
    const result = this.view(fn);
    return [result, this.watch(options)];
  }

  /** Streams events in apply order, each watcher with a bounded queue (a watcher that falls behind is closed with resource_exhausted). */
  watch<K extends TableName<D> = TableName<D>>(
    options: StoreWatchOptions<D, K, ChangeEvent<D, K> | CommitEvent> = {},
  ): StoreWatch<ChangeEvent<D, K> | CommitEvent> {
    const tables = options.table === undefined ? null : new Set<string>(typeof options.table === "string" ? [options.table] : options.table);
    const kinds = new Set(options.kinds ?? DEFAULT_KINDS);
    const filter = options.filter;
    const accepts = (event: StoreEvent<D>): boolean => {
      if (!kinds.has(event.kind)) return false;
      if (event.kind !== "commit" && tables && !tables.has(event.table)) return false;
      return filter ? filter(event as ChangeEvent<D, K> | CommitEvent) : true;
    };
    return this.#hub.watch({
      filter: accepts,
      ...(options.queueLimit !== undefined ? { queueLimit: options.queueLimit } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }) as unknown as StoreWatch<ChangeEvent<D, K> | CommitEvent>;
  }

  /** Applies one committed entry: all its changes, or none when one is refused (the result says why). */
  apply(entry: LogEntry): StoreApplyResult {
    const refuse = (error: unknown): StoreApplyResult => {
      const failure = toShoalError(error);
      this.#log.debug("store entry refused", { "raft.index": entry.index, code: failure.code, error: failure.message });
      return { ok: false, index: entry.index, error: failure.toJSON() };
    };
    this.#index = Math.max(this.#index, entry.index);
    const changes = new Changeset(this.#tables);
    try {
      const actions = decodeProposal(entry.data, (table) => this.#tables.get(table)?.definition, this.#cipher);
      for (const action of actions) {
        if (action.op === "create") changes.create(action.table, action.object, entry.index);
        else if (action.op === "update") changes.update(action.table, action.object, entry.index);
        else changes.delete(action.table, action.id);
      }
    } catch (error) {
      return refuse(error);
    }
    const events: StoreEvent<D>[] = [];
    for (const change of changes.changes) {
      const table = this.#tables.get(change.table)!;
      if (change.op === "delete") {
        table.remove(change.object.ID);
        events.push({ kind: "delete", table: change.table, object: change.object } as StoreEvent<D>);
      } else {
        const object = deepFreeze(change.object);
        table.put(object);
        events.push({ kind: change.op, table: change.table, object, oldObject: change.oldObject } as StoreEvent<D>);
      }
    }
    events.push({ kind: "commit", index: entry.index });
    this.#hub.publish(events);
    return { ok: true, index: entry.index };
  }

  /** The whole store, encoded deterministically (equal states give equal bytes), secrets sealed. */
  snapshot(): Uint8Array {
    const tables: Record<string, StoredObject[]> = {};
    for (const [name, table] of this.#tables) tables[name] = [...table.values()];
    return encodeSnapshot({ index: this.#index, tables }, (table) => this.#tables.get(table)?.definition, this.#cipher);
  }

  /** Replaces the whole store with a snapshot's; watchers see the difference as changes, then a commit. */
  restore(data: Uint8Array): void {
    const content = decodeSnapshot(data, (table) => this.#tables.get(table)?.definition, this.#cipher);
    for (const name of Object.keys(content.tables)) {
      if (!this.#tables.has(name)) throw new ShoalError("failed_precondition", `the snapshot has a table "${name}" this store does not know; upgrade this manager`);
    }
    const events: StoreEvent<D>[] = [];
    for (const [name, table] of this.#tables) {
      const incoming = new Map((content.tables[name] ?? []).map((object) => [object.ID, deepFreeze(object)]));
      const ids = [...new Set([...table.ids(), ...incoming.keys()])].sort();
      for (const id of ids) {
        const before = table.get(id);
        const after = incoming.get(id);
        if (before && !after) events.push({ kind: "delete", table: name, object: before } as StoreEvent<D>);
        else if (!before && after) events.push({ kind: "create", table: name, object: after } as StoreEvent<D>);
        else if (before && after && before.Version.Index !== after.Version.Index) events.push({ kind: "update", table: name, object: after, oldObject: before } as StoreEvent<D>);
      }
      table.clear();
      for (const object of incoming.values()) table.put(object);
    }
    this.#index = content.index;
    events.push({ kind: "commit", index: content.index });
    this.#hub.publish(events);
  }

  /** Ends every watch (the store is going away). */
  close(): void {
    this.#hub.closeAll(new ShoalError("unavailable", "the cluster store was closed"));
  }

  async #update<R>(fn: (tx: WriteTx<D>) => R): Promise<R> {
    const changes = new Changeset(this.#tables);
    const tx = new StoreTx<D>(changes, true, () => this.#now());
    let result: R;
    try {
      result = refuseAsync(fn(tx), "update");
    } finally {
      tx.close();
    }
    if (changes.empty) return result;
    const data = encodeProposal(changes.actions, (table) => this.#tables.get(table)?.definition, this.#cipher);
    if (data.length > this.#maxProposalBytes) {
      throw new ShoalError("resource_exhausted", `store transaction too large: ${data.length} bytes, at most ${this.#maxProposalBytes}; split it`);
    }
    const outcome = this.#propose ? await this.#propose(data) : this.apply({ index: this.#index + 1, term: 0, kind: "normal", data });
    if (!isApplyResult(outcome)) throw new ShoalError("internal", "the proposal was applied, but not by this store");
    if (!outcome.ok) throw new ShoalError(outcome.error.code, outcome.error.message);
    return result;
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}

function refuseAsync<R>(result: R, what: string): R {
  if (result && typeof (result as { then?: unknown }).then === "function") {
    throw new ShoalError("invalid_argument", `store ${what} callbacks must be synchronous: the transaction ends when the callback returns`);
  }
  return result;
}

function isApplyResult(value: unknown): value is StoreApplyResult {
  if (!value || typeof value !== "object" || typeof (value as { ok?: unknown }).ok !== "boolean") return false;
  const error = (value as { error?: { code?: unknown } }).error;
  return (value as { ok: boolean }).ok || isErrorCode(error?.code);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
