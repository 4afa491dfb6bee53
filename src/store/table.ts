import type { StoredObject } from "../types/index.ts";

/** Computes the keys one object has in a secondary index (none, one or several). */
export type IndexKeys<T> = (object: T) => readonly string[];

/**
 * Describes one table of the store: its object type, how it names objects, its secondary indexes,
 * and how its messages read. Adding a kind of object to the store = adding one of these.
 */
export interface TableDefinition<T extends StoredObject = StoredObject, I extends string = string> {
  /** The kind of object, as messages say it ("service", "node"). */
  readonly kind: string;
  /** The unique name of an object (compared case-insensitively), or nothing when names need not be unique. */
  readonly uniqueName?: (object: T) => string | undefined;
  /** Secondary indexes by name. */
  readonly indexes: { readonly [K in I]: IndexKeys<T> };
  /** The message a name conflict gets (Docker's wording for this kind). */
  readonly nameConflictMessage?: (name: string) => string;
  /** True when `Spec.Data` (base64) is sealed with the store's cipher in proposals and snapshots. */
  readonly sealsSpecData?: boolean;
  /**
   * True when the object carries `SpecVersion`: the raft index at which its `Spec` last changed
   * (stamped on apply). Writers that only touch status leave it, so a client that read the spec
   * may still update it after them (no "update out of sequence" for a status write in between).
   */
  readonly stampsSpecVersion?: boolean;
}

/** The tables of a store, by name. */
export type TableDefinitions = Record<string, TableDefinition<any, string>>;

/** The object type of a table definition. */
export type ObjectOf<D> = D extends TableDefinition<infer T, string> ? T : never;

/** The index names of a table definition. */
export type IndexOf<D> = D extends TableDefinition<any, infer I> ? I : never;

/** Declares a table of objects `T`; the index names are inferred from `definition`. */
export function defineTable<T extends StoredObject>() {
  return <I extends string>(definition: TableDefinition<T, I>): TableDefinition<T, I> => definition;
}

/** Index keys for labels: `key` and `key=value` for each label, as Docker's `label` filter matches them. */
export function labelKeys(labels: Record<string, string> | undefined): string[] {
  if (!labels) return [];
  return Object.entries(labels).flatMap(([key, value]) => [key, `${key}=${value}`]);
}

/** Index keys from one optional value. */
export function oneKey(value: string | number | undefined | null): string[] {
  return value === undefined || value === null || value === "" ? [] : [String(value)];
}
