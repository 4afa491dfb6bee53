import { isDeepStrictEqual } from "node:util";
import { ShoalError } from "../lib/index.ts";
import type { StoredObject } from "../types/index.ts";
import { alreadyExistsById, notFound, sequenceConflict, unknownTable } from "./store-errors.ts";
import type { TableData } from "./table-data.ts";

/** One change of a transaction, in the order it was made. */
export type StoreAction =
  | { op: "create"; table: string; object: StoredObject }
  | { op: "update"; table: string; object: StoredObject }
  | { op: "delete"; table: string; id: string };

/** A change as it will be committed, with the object it replaces. */
export interface StagedChange {
  op: "create" | "update" | "delete";
  table: string;
  object: StoredObject;
  oldObject: StoredObject | undefined;
}

/**
 * Changes staged over the committed tables, checked one by one: IDs, unique names and
 * `Version.Index`. A write transaction stages its changes here to refuse bad writes early; an
 * applying entry stages them again (the committed state may have moved) before committing them all.
 */
export class Changeset {
  readonly #tables: ReadonlyMap<string, TableData>;
  /** Table → ID → staged object (null: deleted). */
  readonly #overlay = new Map<string, Map<string, StoredObject | null>>();
  /** Table → index → key → IDs of staged objects with that key. */
  readonly #stagedIndexes = new Map<string, Map<string, Map<string, Set<string>>>>();
  /** Objects whose version this changeset set: later changes to them in the same changeset skip the version check. */
  readonly #written = new Set<string>();
  readonly changes: StagedChange[] = [];
  readonly actions: StoreAction[] = [];

  constructor(tables: ReadonlyMap<string, TableData>) {
    this.#tables = tables;
  }

  get empty(): boolean {
    return this.changes.length === 0;
  }

  table(name: string): TableData {
    const table = this.#tables.get(name);
    if (!table) throw unknownTable(name);
    return table;
  }

  /** The object as this changeset sees it (staged over committed). */
  get(table: string, id: string): StoredObject | undefined {
    const staged = this.#overlay.get(table)?.get(id);
    if (staged !== undefined) return staged ?? undefined;
    return this.table(table).get(id);
  }

  /** The staged objects of a table (null: deleted). */
  staged(table: string): ReadonlyMap<string, StoredObject | null> {
    return this.#overlay.get(table) ?? new Map();
  }

  /** The ID holding a unique name, as this changeset sees it. */
  nameOwner(table: string, name: string): string | undefined {
    const data = this.table(table);
    const uniqueName = data.definition.uniqueName;
    if (!uniqueName) return undefined;
    const wanted = name.toLowerCase();
    const overlay = this.#overlay.get(table);
    if (overlay) {
      for (const [id, object] of overlay) if (object && uniqueName(object)?.toLowerCase() === wanted) return id;
    }
    const owner = data.nameOwner(name);
    return owner !== undefined && overlay?.has(owner) ? undefined : owner;
  }

  /**
   * Stages a new object. `version` is the Version.Index it gets (0 while only proposed; the raft
   * index when applying).
   */
  create(table: string, object: StoredObject, version: number): StoredObject {
    const data = this.table(table);
    const kind = data.definition.kind;
    if (!object.ID) throw new ShoalError("invalid_argument", `a ${kind} needs an ID`);
    if (this.get(table, object.ID)) throw alreadyExistsById(kind, object.ID);
    this.#checkName(table, object);
    const stored: StoredObject = { ...object, Version: { Index: version } };
    if (data.definition.stampsSpecVersion && version > 0) Object.assign(stored, { SpecVersion: { Index: version } });
    this.#stage("create", table, stored, undefined);
    return stored;
  }

  /** Stages a new version of an object; its `Version.Index` must be the current one. */
  update(table: string, object: StoredObject, version: number): StoredObject {
    const data = this.table(table);
    const kind = data.definition.kind;
    const current = this.get(table, object.ID);
    if (!current) throw notFound(kind, object.ID);
    const key = `${table}/${object.ID}`;
    if (!this.#written.has(key) && object.Version?.Index !== current.Version.Index) throw sequenceConflict(kind, object.ID);
    this.#checkName(table, object);
    const stored: StoredObject = { ...object, CreatedAt: current.CreatedAt, Version: { Index: version || current.Version.Index } };
    if (data.definition.stampsSpecVersion && version > 0) {
      const specChanged = !isDeepStrictEqual((object as { Spec?: unknown }).Spec, (current as { Spec?: unknown }).Spec);
      const previous = (current as { SpecVersion?: { Index: number } }).SpecVersion;
      Object.assign(stored, { SpecVersion: { Index: specChanged || !previous ? version : previous.Index } });
    }
    this.#stage("update", table, stored, current);
    return stored;
  }

  /** Stages the removal of an object. */
  delete(table: string, id: string): StoredObject {
    const data = this.table(table);
    const current = this.get(table, id);
    if (!current) throw notFound(data.definition.kind, id);
    this.#stage("delete", table, current, current);
    return current;
  }

  #checkName(table: string, object: StoredObject): void {
    const definition = this.table(table).definition;
    const name = definition.uniqueName?.(object);
    if (!name) return;
    const owner = this.nameOwner(table, name);
    if (owner !== undefined && owner !== object.ID) {
      throw new ShoalError("name_conflict", definition.nameConflictMessage?.(name) ?? `rpc error: code = AlreadyExists desc = name conflicts with an existing object`);
    }
  }

  /**
   * IDs of staged objects with `key` in secondary index `index` (a find inside a transaction that
   * wrote thousands of objects looks only at those, not at every staged one).
   */
  stagedIndexed(table: string, index: string, key: string): Iterable<string> {
    return this.#stagedIndexes.get(table)?.get(index)?.get(key) ?? [];
  }

  #indexStaged(table: string, previous: StoredObject | null | undefined, object: StoredObject | null): void {
    const indexes = this.table(table).definition.indexes as Record<string, (o: StoredObject) => readonly string[]>;
    let byIndex = this.#stagedIndexes.get(table);
    if (!byIndex) this.#stagedIndexes.set(table, (byIndex = new Map()));
    for (const [index, keysOf] of Object.entries(indexes)) {
      let byKey = byIndex.get(index);
      if (!byKey) byIndex.set(index, (byKey = new Map()));
      if (previous) for (const key of keysOf(previous)) byKey.get(key)?.delete(previous.ID);
      if (object) {
        for (const key of keysOf(object)) {
          let ids = byKey.get(key);
          if (!ids) byKey.set(key, (ids = new Set()));
          ids.add(object.ID);
        }
      }
    }
  }

  #stage(op: StagedChange["op"], table: string, object: StoredObject, oldObject: StoredObject | undefined): void {
    let overlay = this.#overlay.get(table);
    if (!overlay) this.#overlay.set(table, (overlay = new Map()));
    this.#indexStaged(table, overlay.get(object.ID), op === "delete" ? null : object);
    overlay.set(object.ID, op === "delete" ? null : object);
    if (op === "delete") this.#written.delete(`${table}/${object.ID}`);
    else this.#written.add(`${table}/${object.ID}`);
    this.changes.push({ op, table, object, oldObject });
    this.actions.push(op === "delete" ? { op, table, id: object.ID } : { op, table, object });
  }
}
