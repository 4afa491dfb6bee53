import type { RootDatabase } from "lmdb";
import { ShoalError } from "../lib/index.ts";
import type { ContainerRecord } from "./container-record.ts";

const CONTAINER_PREFIX = "container/";
const NAME_PREFIX = "container-name/";

/** Container records in the engine's database, found by ID, unique ID prefix or name. */
export class ContainerStore {
  readonly #db: RootDatabase<unknown, string>;

  constructor(db: RootDatabase<unknown, string>) {
    this.#db = db;
  }

  /** Stores a new container, refusing a name that another container has (docker's words). */
  async add(record: ContainerRecord): Promise<void> {
    const name = record.Name.slice(1);
    await this.#db.transaction(() => {
      const holder = this.#db.get(NAME_PREFIX + name) as string | undefined;
      if (holder && holder !== record.Id) {
        throw new ShoalError(
          "name_conflict",
          `Conflict. The container name "${record.Name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
      this.#db.put(NAME_PREFIX + name, record.Id);
      this.#db.put(CONTAINER_PREFIX + record.Id, record);
    });
    await this.#db.flushed;
  }

  /** Replaces a container's record (its name does not change here). */
  async update(record: ContainerRecord): Promise<void> {
    await this.#db.put(CONTAINER_PREFIX + record.Id, record);
    await this.#db.flushed;
  }

  /** Gives a container another name, refusing one another container has (docker's words). */
  async rename(record: ContainerRecord, name: string): Promise<void> {
    await this.#db.transaction(() => {
      const holder = this.#db.get(NAME_PREFIX + name.slice(1)) as string | undefined;
      if (holder && holder !== record.Id) {
        throw new ShoalError("name_conflict", `Error when allocating new name: Conflict. The container name "${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
      const current = this.#db.get(CONTAINER_PREFIX + record.Id) as ContainerRecord;
      this.#db.remove(NAME_PREFIX + current.Name.slice(1));
      this.#db.put(NAME_PREFIX + name.slice(1), record.Id);
      this.#db.put(CONTAINER_PREFIX + record.Id, { ...current, Name: name });
    });
    await this.#db.flushed;
  }

  async remove(record: ContainerRecord): Promise<void> {
    await this.#db.transaction(() => {
      this.#db.remove(CONTAINER_PREFIX + record.Id);
      if (this.#db.get(NAME_PREFIX + record.Name.slice(1)) === record.Id) this.#db.remove(NAME_PREFIX + record.Name.slice(1));
    });
    await this.#db.flushed;
  }

  /** The container with exactly this ID. */
  find(id: string): ContainerRecord | undefined {
    return this.#db.get(CONTAINER_PREFIX + id) as ContainerRecord | undefined;
  }

  /** By full ID, name (with or without `/`), or unique ID prefix — docker's lookup order. */
  get(reference: string): ContainerRecord {
    const exact = this.find(reference);
    if (exact) return exact;
    const byName = this.#db.get(NAME_PREFIX + reference.replace(/^\//, "")) as string | undefined;
    if (byName) {
      const record = this.find(byName);
      if (record) return record;
    }
    if (/^[0-9a-f]+$/.test(reference)) {
      const matches = this.list().filter((record) => record.Id.startsWith(reference));
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) throw new ShoalError("invalid_argument", `multiple IDs found with provided prefix: ${reference}`);
    }
    throw new ShoalError("not_found", `No such container: ${reference}`);
  }

  /** Every container, newest first. */
  list(): ContainerRecord[] {
    const records: ContainerRecord[] = [];
    for (const { value } of this.#db.getRange({ start: CONTAINER_PREFIX, end: `${CONTAINER_PREFIX}\uffff` })) records.push(value as ContainerRecord);
    return records.sort((a, b) => b.Created.localeCompare(a.Created));
  }
}
