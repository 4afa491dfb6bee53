import type { StoredObject } from "../types/index.ts";
import type { TableDefinition } from "./table.ts";

/** The committed objects of one table with their name and secondary indexes. Only the store writes it, when an entry applies. */
export class TableData<T extends StoredObject = StoredObject> {
  readonly definition: TableDefinition<T, string>;
  readonly #objects = new Map<string, T>();
  /** Lowercased unique name → ID. */
  readonly #names = new Map<string, string>();
  /** Index name → key → IDs. */
  readonly #indexes = new Map<string, Map<string, Set<string>>>();

  constructor(definition: TableDefinition<T, string>) {
    this.definition = definition;
    for (const name of Object.keys(definition.indexes)) this.#indexes.set(name, new Map());
  }

  get size(): number {
    return this.#objects.size;
  }

  get(id: string): T | undefined {
    return this.#objects.get(id);
  }

  /** The ID holding a (case-insensitive) unique name. */
  nameOwner(name: string): string | undefined {
    return this.#names.get(name.toLowerCase());
  }

  /** IDs under `key` in index `index` (undefined when the index does not exist). */
  indexed(index: string, key: string): ReadonlySet<string> | undefined {
    const entries = this.#indexes.get(index);
    if (!entries) return undefined;
    return entries.get(key) ?? new Set();
  }

  hasIndex(index: string): boolean {
    return this.#indexes.has(index);
  }

  /** Every object, in no particular order. */
  values(): IterableIterator<T> {
    return this.#objects.values();
  }

  ids(): IterableIterator<string> {
    return this.#objects.keys();
  }

  /** Inserts or replaces an object, keeping the indexes right. */
  put(object: T): void {
    const previous = this.#objects.get(object.ID);
    this.#objects.set(object.ID, object);
    const oldName = previous ? this.definition.uniqueName?.(previous) : undefined;
    const name = this.definition.uniqueName?.(object);
    if (oldName && oldName.toLowerCase() !== name?.toLowerCase() && this.#names.get(oldName.toLowerCase()) === object.ID) this.#names.delete(oldName.toLowerCase());
    if (name) this.#names.set(name.toLowerCase(), object.ID);
    // Only the keys that changed move (an update usually touches one or two indexes of many).
    for (const [index, keysOf] of Object.entries(this.definition.indexes)) {
      const entries = this.#indexes.get(index)!;
      const keys = keysOf(object);
      if (previous) {
        const oldKeys = keysOf(previous);
        for (const key of oldKeys) {
          if (keys.includes(key)) continue;
          const ids = entries.get(key);
          if (!ids) continue;
          ids.delete(object.ID);
          if (ids.size === 0) entries.delete(key);
        }
      }
      for (const key of keys) {
        let ids = entries.get(key);
        if (!ids) entries.set(key, (ids = new Set()));
        ids.add(object.ID);
      }
    }
  }

  /** Removes an object; false when absent. */
  remove(id: string): boolean {
    const previous = this.#objects.get(id);
    if (!previous) return false;
    this.#unindex(previous);
    this.#objects.delete(id);
    return true;
  }

  clear(): void {
    this.#objects.clear();
    this.#names.clear();
    for (const entries of this.#indexes.values()) entries.clear();
  }

  #unindex(object: T): void {
    const name = this.definition.uniqueName?.(object);
    if (name && this.#names.get(name.toLowerCase()) === object.ID) this.#names.delete(name.toLowerCase());
    for (const [index, keysOf] of Object.entries(this.definition.indexes)) {
      const entries = this.#indexes.get(index)!;
      for (const key of keysOf(object)) {
        const ids = entries.get(key);
        if (!ids) continue;
        ids.delete(object.ID);
        if (ids.size === 0) entries.delete(key);
      }
    }
  }
}
