import { ShoalError, newId } from "../lib/index.ts";
import type { StoredObject } from "../types/index.ts";
import type { Changeset } from "./changeset.ts";
import type { IndexOf, ObjectOf, TableDefinitions } from "./table.ts";

/** A table's name in store `D`. */
export type TableName<D extends TableDefinitions> = keyof D & string;
/** The object type of table `K` in store `D`. */
export type TableObject<D extends TableDefinitions, K extends TableName<D>> = ObjectOf<D[K]>;

/** How `find` picks objects; without a selector it returns them all. */
export type Selector<I extends string = string> =
  /** Objects with `key` in secondary index `index` (e.g. `{ index: "service", key: serviceId }`, `{ index: "label", key: "a=b" }`). */
  | { index: I; key: string }
  /** Objects whose ID starts with `idPrefix`. */
  | { idPrefix: string }
  /** The object(s) with this name (case-insensitive). */
  | { name: string }
  /** Objects whose name starts with `namePrefix` (case-insensitive). */
  | { namePrefix: string };

/** What a write transaction's `create` takes: the store fills Version and timestamps, and the ID when absent. */
export type NewObject<T extends StoredObject> = Omit<T, "ID" | "Version" | "CreatedAt" | "UpdatedAt"> & { ID?: string };

/** A read transaction: a consistent view of the store, valid only while its callback runs. */
export interface ReadTx<D extends TableDefinitions> {
  get<K extends TableName<D>>(table: K, id: string): TableObject<D, K> | undefined;
  /** The object with this unique name (case-insensitive). */
  getByName<K extends TableName<D>>(table: K, name: string): TableObject<D, K> | undefined;
  /** Objects picked by `selector`, ordered by ID. */
  find<K extends TableName<D>>(table: K, selector?: Selector<IndexOf<D[K]>>): TableObject<D, K>[];
  /**
   * Resolves a reference as the Docker daemon does: exact ID, then exact name, then unique ID prefix.
   * Throws not_found (`<kind> X not found`) or invalid_argument (`<kind> X is ambiguous (N matches found)`).
   */
  lookup<K extends TableName<D>>(table: K, ref: string): TableObject<D, K>;
}

/** A write transaction: reads see its own writes; the writes become one raft proposal. */
export interface WriteTx<D extends TableDefinitions> extends ReadTx<D> {
  /** Stages a new object (ID generated when absent); returns it as staged (Version.Index 0 until applied). */
  create<K extends TableName<D>>(table: K, object: NewObject<TableObject<D, K>>): TableObject<D, K>;
  /** Stages a new version of an object read earlier; refused (sequence_conflict) when its Version is stale. */
  update<K extends TableName<D>>(table: K, object: TableObject<D, K>): TableObject<D, K>;
  /** Stages the removal of an object. */
  delete<K extends TableName<D>>(table: K, id: string): void;
}

/** The transaction object handed to view and update callbacks. */
export class StoreTx<D extends TableDefinitions> implements WriteTx<D> {
  readonly #changes: Changeset;
  readonly #writable: boolean;
  readonly #now: () => string;
  #open = true;

  constructor(changes: Changeset, writable: boolean, now: () => string) {
    this.#changes = changes;
    this.#writable = writable;
    this.#now = now;
  }

  /** Ends the transaction: it refuses any later use. */
  close(): void {
    this.#open = false;
  }

  get<K extends TableName<D>>(table: K, id: string): TableObject<D, K> | undefined {
    this.#check();
    return this.#changes.get(table, id) as TableObject<D, K> | undefined;
  }

  getByName<K extends TableName<D>>(table: K, name: string): TableObject<D, K> | undefined {
    this.#check();
    const owner = this.#changes.nameOwner(table, name);
    return owner === undefined ? undefined : this.get(table, owner);
  }

  find<K extends TableName<D>>(table: K, selector?: Selector<IndexOf<D[K]>>): TableObject<D, K>[] {
    this.#check();
    const data = this.#changes.table(table);
    const staged = this.#changes.staged(table);
    const definition = data.definition;
    const nameOf = (object: StoredObject) => definition.uniqueName?.(object) ?? (definition.indexes as Record<string, (o: StoredObject) => readonly string[]>)["name"]?.(object)[0];
    let matches: (object: StoredObject) => boolean;
    let candidates: Iterable<string>;
    if (selector && "index" in selector) {
      const keysOf = (definition.indexes as Record<string, (o: StoredObject) => readonly string[]>)[selector.index];
      if (!keysOf) throw new ShoalError("invalid_argument", `the ${definition.kind} table has no index "${selector.index}"`);
      // Committed objects with the key (a staged version that lost it fails `matches`), and staged ones that have it.
      candidates = [...data.indexed(selector.index, selector.key)!, ...this.#changes.stagedIndexed(table, selector.index, selector.key)];
      matches = (object) => keysOf(object).includes(selector.key);
    } else if (selector && "name" in selector && definition.uniqueName) {
      const owner = this.#changes.nameOwner(table, selector.name);
      candidates = owner === undefined ? [] : [owner];
      matches = () => true;
    } else {
      candidates = [...data.ids(), ...staged.keys()];
      if (!selector) matches = () => true;
      else if ("idPrefix" in selector) matches = (object) => object.ID.startsWith(selector.idPrefix);
      else if ("name" in selector) matches = (object) => nameOf(object)?.toLowerCase() === selector.name.toLowerCase();
      else matches = (object) => nameOf(object)?.toLowerCase().startsWith(selector.namePrefix.toLowerCase()) ?? false;
    }
    const found = new Map<string, StoredObject>();
    for (const id of candidates) {
      if (found.has(id)) continue;
      const object = this.#changes.get(table, id);
      if (object && matches(object)) found.set(id, object);
    }
    return [...found.values()].sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0)) as TableObject<D, K>[];
  }

  lookup<K extends TableName<D>>(table: K, ref: string): TableObject<D, K> {
    const kind = this.#changes.table(table).definition.kind;
    const byId = this.get(table, ref);
    if (byId) return byId;
    const byName = this.find(table, { name: ref });
    if (byName.length === 1) return byName[0]!;
    const byPrefix = ref ? this.find(table, { idPrefix: ref }) : [];
    if (byPrefix.length === 1) return byPrefix[0]!;
    const count = Math.max(byName.length, byPrefix.length);
    if (count > 1) throw new ShoalError("invalid_argument", `${kind} ${ref} is ambiguous (${count} matches found)`);
    throw new ShoalError("not_found", `${kind} ${ref} not found`);
  }

  create<K extends TableName<D>>(table: K, object: NewObject<TableObject<D, K>>): TableObject<D, K> {
    this.#checkWritable();
    const now = this.#now();
    // A shallow copy: what is committed is decoded from the proposal, so nothing the caller keeps can reach the store.
    const staged = { ...object, ID: object.ID || newId(), CreatedAt: now, UpdatedAt: now, Version: { Index: 0 } } as StoredObject;
    return this.#changes.create(table, staged, 0) as TableObject<D, K>;
  }

  update<K extends TableName<D>>(table: K, object: TableObject<D, K>): TableObject<D, K> {
    this.#checkWritable();
    const staged = { ...(object as StoredObject), UpdatedAt: this.#now() };
    return this.#changes.update(table, staged, 0) as TableObject<D, K>;
  }

  delete<K extends TableName<D>>(table: K, id: string): void {
    this.#checkWritable();
    this.#changes.delete(table, id);
  }

  #check(): void {
    if (!this.#open) throw new ShoalError("failed_precondition", "this store transaction has ended: use it only inside its callback");
  }

  #checkWritable(): void {
    this.#check();
    if (!this.#writable) throw new ShoalError("failed_precondition", "a read transaction cannot write: use store.update");
  }
}
