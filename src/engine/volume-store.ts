import { randomBytes } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { RootDatabase } from "lmdb";
import { ShoalError, systemClock, type Clock } from "../lib/index.ts";
import { LIST_FILTERS, PRUNE_FILTERS, volumeFilter, type VolumeFilters } from "./volume-store-filters.ts";
import { localMountSpec } from "./volume-store-options.ts";

export type { VolumeFilters } from "./volume-store-filters.ts";

/** A volume as the Engine API shows it (`docker volume inspect`). */
export interface Volume {
  Name: string;
  Driver: "local";
  Mountpoint: string;
  /** RFC 3339, seconds precision. */
  CreatedAt: string;
  Labels: Record<string, string>;
  Scope: "local";
  /** The driver options it was created with. */
  Options: Record<string, string>;
}

/** `POST /volumes/create`'s body. */
export interface VolumeCreateOptions {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Record<string, string>;
}

/** What `docker volume prune` removed. */
export interface VolumePruneReport {
  VolumesDeleted: string[];
  SpaceReclaimed: number;
}

/** Mounts a volume's filesystem (tmpfs) on its `_data` directory; the node gives the native one. */
export interface VolumeMounter {
  mount(device: string, target: string, type: string, data: string): void;
  /** Unmounts `target`; not mounted is not an error. */
  unmount(target: string): void;
}

/** What a VolumeStore works with. */
export interface VolumeStoreOptions {
  /** The engine's database (`meta.mdb`); records live under `volume/`. */
  db: RootDatabase<unknown, string>;
  /** `<data-root>/engine/volumes`: each volume's data is `<root>/<name>/_data`. */
  root: string;
  /** IDs of the containers using a volume (none when not given). */
  usedBy?: (name: string) => string[];
  /** Mounts volumes created with `type=tmpfs`; without it such volumes are refused. */
  mounter?: VolumeMounter;
  clock?: Pick<Clock, "now">;
}

/** The label docker puts on a volume created without a name; prune removes only these unless `all=true`. */
export const ANONYMOUS_VOLUME_LABEL = "com.docker.volume.anonymous";

/** Docker's rule for local volume names. */
export const VOLUME_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

const VOLUME_PREFIX = "volume/";
const REMOVING_PREFIX = ".removing-";

/** What is stored per volume (the mountpoint follows from the name). */
type VolumeRecord = Omit<Volume, "Mountpoint">;

/** Bytes of the regular files under `path`, each hard-linked file once (docker's directory.Size). */
function directorySize(path: string, seen = new Set<string>()): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = join(path, entry);
    const stat = lstatSync(full, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) total += directorySize(full, seen);
    else {
      const inode = `${stat.dev}:${stat.ino}`;
      if (stat.nlink > 1 && seen.has(inode)) continue;
      seen.add(inode);
      total += stat.size;
    }
  }
  return total;
}

/** Go's strconv.ParseBool, which docker's prune uses for its `all` filter. */
function parseGoBool(key: string, value: string): boolean {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw new ShoalError("invalid_argument", `invalid filter '${key}': strconv.ParseBool: parsing "${value}": invalid syntax`);
}

/** True when `path` is the root of a mount (its device differs from its parent's). */
function isMountPoint(path: string): boolean {
  const own = statSync(path, { throwIfNoEntry: false });
  const parent = statSync(dirname(path), { throwIfNoEntry: false });
  return own !== undefined && parent !== undefined && own.dev !== parent.dev;
}

/** Docker's `local` volume driver: records in the engine's database, data in `<root>/<name>/_data`. */
export class VolumeStore {
  readonly #db: RootDatabase<unknown, string>;
  readonly #root: string;
  readonly #usedBy: (name: string) => string[];
  readonly #mounter: VolumeMounter | undefined;
  readonly #clock: Pick<Clock, "now">;
  #pruning = false;

  constructor(options: VolumeStoreOptions) {
    this.#db = options.db;
    this.#root = options.root;
    this.#usedBy = options.usedBy ?? (() => []);
    this.#mounter = options.mounter;
    this.#clock = options.clock ?? systemClock;
    mkdirSync(this.#root, { recursive: true, mode: 0o701 });
    // Directories of removals a crash interrupted (volume names never start with a dot).
    for (const entry of readdirSync(this.#root)) {
      if (entry.startsWith(REMOVING_PREFIX)) rmSync(join(this.#root, entry), { recursive: true, force: true });
    }
  }

  /** Where a volume's data lives. */
  mountpoint(name: string): string {
    return join(this.#root, name, "_data");
  }

  #volume(record: VolumeRecord): Volume {
    return { ...record, Mountpoint: this.mountpoint(record.Name) };
  }

  #record(name: string): VolumeRecord | undefined {
    return this.#db.get(VOLUME_PREFIX + name) as VolumeRecord | undefined;
  }

  /**
   * `docker volume create`: a new local volume, or the existing one of that name (docker's
   * behaviour, whatever the labels and options asked), refused only when another driver is asked.
   * Without a name the volume gets a random 64-hex one and is labelled anonymous.
   */
  async create(options: VolumeCreateOptions = {}): Promise<Volume> {
    const anonymous = !options.Name;
    const name = options.Name || randomBytes(32).toString("hex");
    const driver = options.Driver || "local";
    const fail = (code: ShoalError["code"], message: string) => new ShoalError(code, `create ${name}: ${message}`);
    if (name.length === 1) throw fail("invalid_argument", "volume name is too short, names should be at least two alphanumeric characters");
    if (!VOLUME_NAME_PATTERN.test(name)) {
      throw fail(
        "invalid_argument",
        `"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      );
    }
    const existing = this.#record(name);
    if (existing) {
      if (driver !== existing.Driver) {
        throw fail("name_conflict", `driver '${existing.Driver}' already has volume '${name}': volume name must be unique`);
      }
      return this.#volume(existing);
    }
    if (driver !== "local") {
      throw fail("not_found", `error looking up volume plugin ${driver}: plugin "${driver}" not found (shoal has only the "local" volume driver)`);
    }
    const driverOpts = { ...options.DriverOpts };
    let spec;
    try {
      spec = localMountSpec(driverOpts);
    } catch (error) {
      throw error instanceof ShoalError ? fail(error.code, error.message) : error;
    }
    if (spec && !this.#mounter) throw fail("unimplemented", `this engine cannot mount ${spec.type} volumes; create the volume without --opt`);
    const labels = { ...options.Labels, ...(anonymous ? { [ANONYMOUS_VOLUME_LABEL]: "" } : {}) };
    const record: VolumeRecord = {
      Name: name,
      Driver: "local",
      CreatedAt: new Date(this.#clock.now()).toISOString().replace(/\.\d+Z$/, "Z"),
      Labels: labels,
      Scope: "local",
      Options: driverOpts,
    };
    mkdirSync(this.mountpoint(name), { recursive: true, mode: 0o755 });
    let stored = record;
    await this.#db.transaction(() => {
      // A concurrent create of the same name may have won: keep its record.
      const raced = this.#record(name);
      if (raced) stored = raced;
      else this.#db.put(VOLUME_PREFIX + name, record);
    });
    await this.#db.flushed;
    return this.#volume(stored);
  }

  /** `docker volume inspect`. */
  get(name: string): Volume {
    const record = this.#record(name);
    if (!record) throw new ShoalError("not_found", `get ${name}: no such volume`);
    return this.#volume(record);
  }

  /** `docker volume ls`, by name, with docker's filters (`name`, `driver`, `label`, `dangling`). */
  list(filters: VolumeFilters = {}): Volume[] {
    const matches = volumeFilter(filters, LIST_FILTERS);
    return this.#records()
      .filter((record) => matches({ ...record, users: () => this.#usedBy(record.Name) }))
      .map((record) => this.#volume(record));
  }

  #records(): VolumeRecord[] {
    const records: VolumeRecord[] = [];
    for (const { value } of this.#db.getRange({ start: VOLUME_PREFIX, end: `${VOLUME_PREFIX}\uffff` })) records.push(value as VolumeRecord);
    return records.sort((a, b) => a.Name.localeCompare(b.Name));
  }

  /**
   * A volume a container names in a mount: created when missing (as docker does), mounted when its
   * options say so and it is not mounted yet. Returns where its data is.
   */
  async ensure(name: string): Promise<string> {
    const volume = await this.create({ Name: name });
    const spec = localMountSpec(volume.Options);
    mkdirSync(volume.Mountpoint, { recursive: true, mode: 0o755 });
    if (spec && !this.#mounter) throw new ShoalError("unimplemented", `volume ${name}: this engine cannot mount ${spec.type} volumes`);
    if (spec && this.#mounter && !isMountPoint(volume.Mountpoint)) {
      try {
        this.#mounter.mount(spec.device, volume.Mountpoint, spec.type, spec.data);
      } catch (error) {
        throw new ShoalError("internal", `error while mounting volume '${volume.Mountpoint}': ${String(error)}`, { cause: error });
      }
    }
    return volume.Mountpoint;
  }

  /**
   * `docker volume rm`: refused while a container uses the volume (force or not); with `force` a
   * missing volume is not an error. Its data goes with it.
   */
  async remove(name: string, force = false): Promise<void> {
    const record = this.#record(name);
    if (!record) {
      if (force) return;
      throw new ShoalError("not_found", `get ${name}: no such volume`);
    }
    const users = this.#usedBy(name);
    if (users.length > 0) throw new ShoalError("name_conflict", `remove ${name}: volume is in use - [${users.join(", ")}]`);
    await this.#delete(record);
  }

  async #delete(record: VolumeRecord): Promise<void> {
    const dir = join(this.#root, record.Name);
    if (Object.keys(record.Options).length > 0) this.#mounter?.unmount(this.mountpoint(record.Name));
    // Moved aside first, so a crash never leaves this name's old data for a new volume of the name.
    const removing = join(this.#root, `${REMOVING_PREFIX}${record.Name}-${randomBytes(4).toString("hex")}`);
    try {
      renameSync(dir, removing);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new ShoalError("internal", `remove ${record.Name}: cannot remove the volume's data in ${dir}: ${String(error)}`, { cause: error });
      }
    }
    await this.#db.remove(VOLUME_PREFIX + record.Name);
    await this.#db.flushed;
    rmSync(removing, { recursive: true, force: true });
  }

  /**
   * `docker volume prune`: removes local volumes no container uses, without mount options, that
   * match `filters` (`label`, `label!`) — only anonymous ones unless `all=true` (API ≥ 1.42).
   */
  async prune(filters: VolumeFilters = {}): Promise<VolumePruneReport> {
    if (this.#pruning) throw new ShoalError("name_conflict", "a prune operation is already running");
    this.#pruning = true;
    try {
      const all = [...new Set(filters.all ?? [])];
      if (all.length > 1) throw new ShoalError("invalid_argument", `invalid filter 'all=[${all.join(" ")}]': only one value is expected`);
      const everything = all.length === 1 ? parseGoBool("all", all[0]!) : false;
      const effective = everything ? filters : { ...filters, label: [...(filters.label ?? []), ANONYMOUS_VOLUME_LABEL] };
      const matches = volumeFilter(effective, PRUNE_FILTERS);
      const report: VolumePruneReport = { VolumesDeleted: [], SpaceReclaimed: 0 };
      for (const record of this.#records()) {
        if (Object.keys(record.Options).length > 0) continue;
        if (!matches({ ...record, users: () => [] })) continue;
        if (this.#usedBy(record.Name).length > 0) continue;
        const size = directorySize(this.mountpoint(record.Name));
        await this.#delete(record);
        report.VolumesDeleted.push(record.Name);
        report.SpaceReclaimed += size;
      }
      return report;
    } finally {
      this.#pruning = false;
    }
  }
}
