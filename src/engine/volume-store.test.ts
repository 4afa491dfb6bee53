import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ShoalError } from "../lib/index.ts";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { openEngineMeta, type EngineMeta } from "./engine-identity.ts";
import { ANONYMOUS_VOLUME_LABEL, VolumeStore, type VolumeMounter, type VolumeStoreOptions } from "./volume-store.ts";

const roots: string[] = [];
const metas: EngineMeta[] = [];
afterEach(async () => {
  for (const meta of metas.splice(0)) await meta.close();
  roots.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

/** A store over a fresh data root; `users` says which containers use which volume. */
async function setup(options: Partial<VolumeStoreOptions> & { users?: Record<string, string[]>; dataRoot?: string } = {}) {
  const dataRoot = options.dataRoot ?? mkdtempSync(join(tmpdir(), "shoal-volumes-"));
  if (!options.dataRoot) roots.push(dataRoot);
  const meta = await openEngineMeta(dataRoot);
  metas.push(meta);
  const users = options.users ?? {};
  const store = new VolumeStore({
    db: meta.db,
    root: join(dataRoot, "engine", "volumes"),
    usedBy: (name) => users[name] ?? [],
    clock: new FakeClock(),
    ...options,
  });
  return { store, meta, dataRoot, users };
}

async function rejection(promise: Promise<unknown>): Promise<ShoalError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ShoalError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

function thrown(fn: () => unknown): ShoalError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ShoalError) return error;
    throw error;
  }
  throw new Error("expected an error");
}

describe("create and get", () => {
  test("creates a named volume in docker's layout and shape", async () => {
    const { store, dataRoot } = await setup();
    const volume = await store.create({ Name: "data", Labels: { env: "prod" } });
    expect(volume).toEqual({
      Name: "data",
      Driver: "local",
      Mountpoint: join(dataRoot, "engine", "volumes", "data", "_data"),
      CreatedAt: "2026-11-25T12:00:00Z",
      Labels: { env: "prod" },
      Scope: "local",
      Options: {},
    });
    expect(existsSync(volume.Mountpoint)).toBe(true);
    expect(store.get("data")).toEqual(volume);
  });

  test("a volume without a name gets a random 64-hex name and the anonymous label", async () => {
    const { store } = await setup();
    const volume = await store.create({});
    expect(volume.Name).toMatch(/^[0-9a-f]{64}$/);
    expect(volume.Labels).toEqual({ [ANONYMOUS_VOLUME_LABEL]: "" });
    expect((await store.create()).Name).not.toBe(volume.Name);
  });

  test("creating an existing name returns the existing volume unchanged", async () => {
    const { store } = await setup();
    const first = await store.create({ Name: "data", Labels: { a: "1" } });
    const again = await store.create({ Name: "data", Driver: "local", Labels: { b: "2" } });
    expect(again).toEqual(first);
  });

  test("concurrent creates of one name make one volume", async () => {
    const { store } = await setup();
    const [a, b] = await Promise.all([store.create({ Name: "data", Labels: { n: "1" } }), store.create({ Name: "data", Labels: { n: "2" } })]);
    expect(a).toEqual(b);
    expect(store.list()).toHaveLength(1);
  });

  test("another driver for an existing name is a conflict; an unknown driver is refused", async () => {
    const { store } = await setup();
    await store.create({ Name: "data" });
    const conflict = await rejection(store.create({ Name: "data", Driver: "nfs" }));
    expect(conflict.code).toBe("name_conflict");
    expect(conflict.message).toBe("create data: driver 'local' already has volume 'data': volume name must be unique");
    const unknown = await rejection(store.create({ Name: "other", Driver: "nfs" }));
    expect(unknown.code).toBe("not_found");
    expect(unknown.message).toStartWith('create other: error looking up volume plugin nfs: plugin "nfs" not found');
    expect(store.list().map((volume) => volume.Name)).toEqual(["data"]);
  });

  test("refuses names docker refuses, with docker's message, creating nothing", async () => {
    const { store, dataRoot } = await setup();
    for (const name of ["a/b", "-data", ".hidden", "da ta", "../up"]) {
      const error = await rejection(store.create({ Name: name }));
      expect(error.code).toBe("invalid_argument");
      expect(error.message).toBe(
        `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      );
    }
    expect((await rejection(store.create({ Name: "x" }))).message).toBe(
      "create x: volume name is too short, names should be at least two alphanumeric characters",
    );
    expect(store.list()).toEqual([]);
    expect(readdirSync(join(dataRoot, "engine", "volumes"))).toEqual([]);
  });

  test("get of an unknown volume is docker's not found", async () => {
    const { store } = await setup();
    const error = thrown(() => store.get("nope"));
    expect(error.code).toBe("not_found");
    expect(error.message).toBe("get nope: no such volume");
  });

  test("volumes persist across reopening the database", async () => {
    const { store, meta, dataRoot } = await setup();
    const created = await store.create({ Name: "data", Labels: { keep: "yes" } });
    const anonymous = await store.create({});
    await meta.close();
    const { store: reopened } = await setup({ dataRoot });
    expect(reopened.get("data")).toEqual(created);
    expect(reopened.get(anonymous.Name)).toEqual(anonymous);
  });
});

describe("driver options", () => {
  const recording = () => {
    const calls: string[] = [];
    const mounter: VolumeMounter = {
      mount: (device, target, type, data) => calls.push(`mount -t ${type} -o ${data} ${device} ${target}`),
      unmount: (target) => calls.push(`umount ${target}`),
    };
    return { calls, mounter };
  };

  test("a tmpfs volume is mounted when first used, and unmounted on removal", async () => {
    const { calls, mounter } = recording();
    const { store } = await setup({ mounter });
    const volume = await store.create({ Name: "scratch", DriverOpts: { type: "tmpfs", device: "tmpfs", o: "size=64m,uid=1000" } });
    expect(volume.Options).toEqual({ type: "tmpfs", device: "tmpfs", o: "size=64m,uid=1000" });
    expect(calls).toEqual([]);
    expect(await store.ensure("scratch")).toBe(volume.Mountpoint);
    await store.remove("scratch");
    expect(calls).toEqual([`mount -t tmpfs -o size=64m,uid=1000 tmpfs ${volume.Mountpoint}`, `umount ${volume.Mountpoint}`]);
  });

  test("refuses options docker's local driver refuses, and those shoal cannot mount", async () => {
    const { mounter } = recording();
    const { store } = await setup({ mounter });
    const cases: [Record<string, string>, string][] = [
      [{ colour: "red" }, 'invalid option: "colour"'],
      [{ type: "tmpfs" }, 'missing required option: "device"'],
      [{ o: "size=1m", type: "tmpfs" }, 'missing required option: "device"'],
      [{ size: "10G" }, "quota size requested but no quota support"],
      [{ type: "nfs", device: ":/export", o: "addr=10.0.0.1" }, 'unsupported volume type "nfs"'],
      [{ type: "tmpfs", device: "tmpfs", o: "size=1m,exec" }, 'unsupported tmpfs option "exec"'],
      [{ type: "tmpfs", device: "tmpfs", o: "size=lots" }, 'invalid tmpfs option "size=lots"'],
    ];
    for (const [DriverOpts, message] of cases) {
      const error = await rejection(store.create({ Name: "scratch", DriverOpts }));
      expect(error.code).toBe("invalid_argument");
      expect(error.message).toStartWith(`create scratch: ${message}`);
    }
    expect(store.list()).toEqual([]);
  });

  test("without a mounter a tmpfs volume is refused", async () => {
    const { store } = await setup();
    const error = await rejection(store.create({ Name: "scratch", DriverOpts: { type: "tmpfs", device: "tmpfs" } }));
    expect(error.code).toBe("unimplemented");
    expect(store.list()).toEqual([]);
  });
});

describe("ensure", () => {
  test("creates a missing named volume and returns its mountpoint; an existing one is reused", async () => {
    const { store } = await setup();
    const path = await store.ensure("cache");
    expect(path).toBe(store.get("cache").Mountpoint);
    expect(store.get("cache").Labels).toEqual({});
    writeFileSync(join(path, "file"), "kept");
    expect(await store.ensure("cache")).toBe(path);
    expect(readdirSync(path)).toEqual(["file"]);
  });
});

describe("list filters", () => {
  test("filters by name (regexp, as docker), label, driver and dangling", async () => {
    const { store, users } = await setup({ users: { web: ["c1"] } });
    await store.create({ Name: "web", Labels: { env: "prod", tier: "front" } });
    await store.create({ Name: "db", Labels: { env: "prod" } });
    await store.create({ Name: "webcache", Labels: { env: "dev" } });
    const names = (filters: Record<string, string[]>) => store.list(filters).map((volume) => volume.Name);
    expect(names({})).toEqual(["db", "web", "webcache"]);
    expect(names({ name: ["web"] })).toEqual(["web", "webcache"]);
    expect(names({ name: ["^db$", "cache"] })).toEqual(["db", "webcache"]);
    expect(names({ label: ["env=prod"] })).toEqual(["db", "web"]);
    expect(names({ label: ["env=prod", "tier"] })).toEqual(["web"]);
    expect(names({ driver: ["local"] })).toHaveLength(3);
    expect(names({ driver: ["nfs"] })).toEqual([]);
    expect(names({ dangling: ["true"] })).toEqual(["db", "webcache"]);
    expect(names({ dangling: ["0"] })).toEqual(["web"]);
    users.db = ["c2"];
    expect(names({ dangling: ["1"] })).toEqual(["webcache"]);
  });

  test("unknown keys and non-boolean dangling are docker's invalid filter", async () => {
    const { store } = await setup();
    expect(thrown(() => store.list({ colour: ["red"] })).message).toBe("invalid filter 'colour'");
    expect(thrown(() => store.list({ "label!": ["a"] })).message).toBe("invalid filter 'label!'");
    const dangling = thrown(() => store.list({ dangling: ["maybe"] }));
    expect(dangling.code).toBe("invalid_argument");
    expect(dangling.message).toBe("invalid filter 'dangling=[maybe]'");
    expect(thrown(() => store.list({ dangling: ["true", "false"] })).message).toBe("invalid filter 'dangling=[true false]'");
  });
});

describe("remove", () => {
  test("refuses a volume in use, even forced, naming the containers", async () => {
    const { store, users } = await setup({ users: { data: ["c1", "c2"] } });
    await store.create({ Name: "data" });
    for (const force of [false, true]) {
      const error = await rejection(store.remove("data", force));
      expect(error.code).toBe("name_conflict");
      expect(error.message).toBe("remove data: volume is in use - [c1, c2]");
    }
    expect(store.get("data").Name).toBe("data");
    users.data = [];
    await store.remove("data");
    expect(thrown(() => store.get("data")).code).toBe("not_found");
  });

  test("removes the data directory with the record", async () => {
    const { store, dataRoot } = await setup();
    const volume = await store.create({ Name: "data" });
    writeFileSync(join(volume.Mountpoint, "file"), "x");
    await store.remove("data");
    expect(readdirSync(join(dataRoot, "engine", "volumes"))).toEqual([]);
  });

  test("a missing volume is not found, unless forced", async () => {
    const { store } = await setup();
    expect((await rejection(store.remove("nope"))).message).toBe("get nope: no such volume");
    await store.remove("nope", true);
  });

  test("a removal a crash interrupted is cleaned up when the store opens again", async () => {
    const { meta, dataRoot } = await setup();
    const leftover = join(dataRoot, "engine", "volumes", ".removing-data-0123abcd", "_data");
    await meta.close();
    mkdirSync(leftover, { recursive: true });
    await setup({ dataRoot });
    expect(readdirSync(join(dataRoot, "engine", "volumes"))).toEqual([]);
  });
});

describe("prune", () => {
  test("by default removes only unused anonymous volumes, reporting the space", async () => {
    const { store, users } = await setup();
    const anonymous = await store.create({});
    const used = await store.create({});
    users[used.Name] = ["c1"];
    await store.create({ Name: "named" });
    writeFileSync(join(anonymous.Mountpoint, "file"), "12345");
    expect(await store.prune({})).toEqual({ VolumesDeleted: [anonymous.Name], SpaceReclaimed: 5 });
    expect(existsSync(anonymous.Mountpoint)).toBe(false);
    expect(store.list().map((volume) => volume.Name).sort()).toEqual([used.Name, "named"].sort());
  });

  test("all=true removes every unused volume; labels narrow it", async () => {
    const { store, users } = await setup({ users: { busy: ["c1"] } });
    await store.create({ Name: "keep", Labels: { keep: "yes" } });
    await store.create({ Name: "old", Labels: { keep: "no" } });
    await store.create({ Name: "busy" });
    await store.create({ Name: "other" });
    expect((await store.prune({ all: ["true"], label: ["keep=no"] })).VolumesDeleted).toEqual(["old"]);
    expect((await store.prune({ all: ["1"], "label!": ["keep=yes"] })).VolumesDeleted).toEqual(["other"]);
    expect((await store.prune({ all: ["false"] })).VolumesDeleted).toEqual([]);
    users.busy = [];
    expect((await store.prune({ all: ["true"] })).VolumesDeleted).toEqual(["busy", "keep"]);
  });

  test("skips volumes with mount options, as docker does", async () => {
    const { store } = await setup({ mounter: { mount: () => {}, unmount: () => {} } });
    await store.create({ Name: "scratch", DriverOpts: { type: "tmpfs", device: "tmpfs" } });
    expect((await store.prune({ all: ["true"] })).VolumesDeleted).toEqual([]);
  });

  test("a second prune while one runs is refused", async () => {
    const { store } = await setup();
    await store.create({});
    const [first, second] = await Promise.allSettled([store.prune({}), store.prune({})]);
    expect(first.status).toBe("fulfilled");
    expect(second.status === "rejected" && (second.reason as ShoalError).message).toBe("a prune operation is already running");
    expect(store.list()).toEqual([]);
  });

  test("bad filters are refused and nothing is removed", async () => {
    const { store } = await setup();
    await store.create({});
    expect((await rejection(store.prune({ dangling: ["true"] }))).message).toBe("invalid filter 'dangling'");
    expect((await rejection(store.prune({ all: ["yes"] }))).message).toBe(
      `invalid filter 'all': strconv.ParseBool: parsing "yes": invalid syntax`,
    );
    expect((await rejection(store.prune({ all: ["true", "false"] }))).message).toBe(
      "invalid filter 'all=[true false]': only one value is expected",
    );
    expect(store.list()).toHaveLength(1);
  });
});
