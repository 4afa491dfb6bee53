import { expect, test } from "bun:test";
import { ShoalError } from "../lib/index.ts";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { ClusterStore } from "./cluster-store.ts";
import * as fixtures from "./store-fixtures.ts";
import { defineTable } from "./table.ts";

const failure = (promise: Promise<unknown>) => promise.then(() => null, (error: ShoalError) => error);

test("creates objects with an ID, timestamps and Version.Index = the applying entry's index", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 25, 12, 0, 0));
  const store = new ClusterStore({ clock });
  const created = await store.update((tx) => tx.create("services", fixtures.service("web")));
  expect(created.ID).toMatch(/^[0-9a-z]{25}$/);
  const web = store.view((tx) => tx.get("services", created.ID))!;
  expect(web.Version.Index).toBe(1);
  expect(web.CreatedAt).toBe("2026-11-25T12:00:00.000Z");
  expect(web.UpdatedAt).toBe(web.CreatedAt);
  expect(store.index).toBe(1);
});

test("refuses a second service with the same name (any case), in Docker's words", async () => {
  const store = new ClusterStore();
  await store.update((tx) => tx.create("services", fixtures.service("web")));
  const error = await failure(store.update((tx) => tx.create("services", fixtures.service("WEB"))));
  expect(error).toBeInstanceOf(ShoalError);
  expect(error!.code).toBe("name_conflict");
  expect(error!.message).toBe("rpc error: code = AlreadyExists desc = name conflicts with an existing object: service WEB already exists");
  const secretError = await failure(store.update((tx) => (tx.create("secrets", fixtures.secret("s", "x")), tx.create("secrets", fixtures.secret("s", "y")))));
  expect(secretError!.message).toBe("rpc error: code = AlreadyExists desc = secret s already exists");
  expect(store.view((tx) => tx.find("secrets"))).toEqual([]);
});

test("a name freed in the same transaction may be taken again; renaming onto a taken name is refused", async () => {
  const store = new ClusterStore();
  const [a, b] = await store.update((tx) => [tx.create("networks", fixtures.network("a")), tx.create("networks", fixtures.network("b"))]);
  await store.update((tx) => {
    tx.delete("networks", a!.ID);
    tx.create("networks", fixtures.network("a"));
  });
  const current = store.view((tx) => tx.get("networks", b!.ID))!;
  const error = await failure(store.update((tx) => tx.update("networks", { ...current, Spec: { ...current.Spec, Name: "A" } })));
  expect(error!.code).toBe("name_conflict");
  expect(store.view((tx) => tx.find("networks").map((n) => n.Spec.Name))).toEqual(expect.arrayContaining(["a", "b"]));
});

test("secondary indexes find tasks by service, node, slot, desired state and label", async () => {
  const store = new ClusterStore();
  await store.update((tx) => {
    tx.create("tasks", { ...fixtures.task("svc1", 1, { nodeId: "n1" }), ID: "t1" });
    tx.create("tasks", { ...fixtures.task("svc1", 2, { nodeId: "n2" }), ID: "t2", Labels: { tier: "front" } });
    tx.create("tasks", { ...fixtures.task("svc2", 1, { nodeId: "n1" }), ID: "t3", DesiredState: "shutdown" });
  });
  const ids = (selector: Parameters<typeof store.view>[0]) => store.view(selector) as string[];
  expect(ids((tx) => tx.find("tasks", { index: "service", key: "svc1" }).map((t) => t.ID))).toEqual(["t1", "t2"]);
  expect(ids((tx) => tx.find("tasks", { index: "node", key: "n1" }).map((t) => t.ID))).toEqual(["t1", "t3"]);
  expect(ids((tx) => tx.find("tasks", { index: "slot", key: "svc1/2" }).map((t) => t.ID))).toEqual(["t2"]);
  expect(ids((tx) => tx.find("tasks", { index: "desiredState", key: "running" }).map((t) => t.ID))).toEqual(["t1", "t2"]);
  expect(ids((tx) => tx.find("tasks", { index: "label", key: "tier=front" }).map((t) => t.ID))).toEqual(["t2"]);
  expect(ids((tx) => tx.find("tasks", { index: "label", key: "tier" }).map((t) => t.ID))).toEqual(["t2"]);
  // After an update the old keys no longer find it.
  await store.update((tx) => tx.update("tasks", { ...tx.get("tasks", "t1")!, NodeID: "n3" }));
  expect(ids((tx) => tx.find("tasks", { index: "node", key: "n1" }).map((t) => t.ID))).toEqual(["t3"]);
  expect(() => store.view((tx) => tx.find("tasks", { index: "nope" as "node", key: "x" }))).toThrow('the task table has no index "nope"');
});

test("inside a write, indexed finds see what the transaction staged: created, moved to another key, deleted", async () => {
  const store = new ClusterStore();
  await store.update((tx) => tx.create("tasks", { ...fixtures.task("svc1", 1, { nodeId: "n1" }), ID: "t1" }));
  const seen = await store.update((tx) => {
    const onN1 = () => tx.find("tasks", { index: "node", key: "n1" }).map((t) => t.ID);
    const steps: string[][] = [onN1()];
    tx.create("tasks", { ...fixtures.task("svc1", 2, { nodeId: "n1" }), ID: "t2" });
    steps.push(onN1());
    tx.update("tasks", { ...tx.get("tasks", "t1")!, NodeID: "n2" });
    steps.push(onN1(), tx.find("tasks", { index: "node", key: "n2" }).map((t) => t.ID));
    tx.update("tasks", { ...tx.get("tasks", "t2")!, NodeID: "n2" });
    tx.update("tasks", { ...tx.get("tasks", "t2")!, NodeID: "n1" });
    steps.push(onN1());
    tx.delete("tasks", "t2");
    steps.push(onN1());
    return steps;
  });
  expect(seen).toEqual([["t1"], ["t1", "t2"], ["t2"], ["t1"], ["t2"], []]);
});

test("nodes are found by role and membership; hostnames need not be unique", async () => {
  const store = new ClusterStore();
  await store.update((tx) => {
    tx.create("nodes", fixtures.node("h1", "manager"));
    tx.create("nodes", fixtures.node("h1"));
    tx.create("nodes", { ...fixtures.node("h2"), Spec: { Role: "worker", Availability: "active", Membership: "pending" } });
  });
  store.view((tx) => {
    expect(tx.find("nodes", { index: "role", key: "manager" }).length).toBe(1);
    expect(tx.find("nodes", { index: "membership", key: "pending" }).map((n) => n.Description!.Hostname)).toEqual(["h2"]);
    expect(tx.find("nodes", { name: "H1" }).length).toBe(2);
    expect(() => tx.lookup("nodes", "h1")).toThrow("node h1 is ambiguous (2 matches found)");
  });
});

test("lookup resolves an exact ID, then a name, then a unique ID prefix, as the daemon does", async () => {
  const store = new ClusterStore();
  await store.update((tx) => {
    tx.create("services", { ...fixtures.service("web"), ID: "abc00000000000000000000001" });
    tx.create("services", { ...fixtures.service("db"), ID: "abd00000000000000000000002" });
  });
  store.view((tx) => {
    expect(tx.lookup("services", "web").Spec.Name).toBe("web");
    expect(tx.lookup("services", "abd").Spec.Name).toBe("db");
    expect(() => tx.lookup("services", "ab")).toThrow("service ab is ambiguous (2 matches found)");
    expect(() => tx.lookup("services", "zzz")).toThrow("service zzz not found");
    expect(tx.find("services", { namePrefix: "W" }).map((s) => s.Spec.Name)).toEqual(["web"]);
  });
});

test("a write transaction reads its own writes, indexes included", async () => {
  const store = new ClusterStore();
  await store.update((tx) => {
    const web = tx.create("services", fixtures.service("web"));
    tx.create("tasks", fixtures.task(web.ID, 1));
    expect(tx.find("tasks", { index: "service", key: web.ID }).length).toBe(1);
    expect(tx.getByName("services", "web")?.ID).toBe(web.ID);
    tx.delete("services", web.ID);
    expect(tx.getByName("services", "web")).toBeUndefined();
  });
  expect(store.view((tx) => tx.find("services"))).toEqual([]);
});

test("a view is consistent: objects are frozen, later writes do not reach what it returned, and it ends with its callback", async () => {
  const store = new ClusterStore();
  const web = await store.update((tx) => tx.create("services", fixtures.service("web", { replicas: 1 })));
  let leaked: { get(table: "services", id: string): unknown } | null = null;
  const before = store.view((tx) => ((leaked = tx), tx.get("services", web.ID)!));
  expect(Object.isFrozen(before.Spec.Mode)).toBe(true);
  expect(() => ((before.Spec as { Name: string }).Name = "x")).toThrow();
  await store.update((tx) => {
    const current = tx.get("services", web.ID)!;
    tx.update("services", { ...current, Spec: { ...current.Spec, Mode: { Replicated: { Replicas: 3 } } } });
  });
  expect(before.Spec.Mode).toEqual({ Replicated: { Replicas: 1 } });
  expect(store.view((tx) => tx.get("services", web.ID)!.Spec.Mode)).toEqual({ Replicated: { Replicas: 3 } });
  expect(() => leaked!.get("services", web.ID)).toThrow("this store transaction has ended");
  expect(() => store.view(async () => 1)).toThrow("store view callbacks must be synchronous");
});

test("a stale Version.Index is refused as 'update out of sequence' and nothing of the transaction applies", async () => {
  const store = new ClusterStore();
  const web = await store.update((tx) => tx.create("services", fixtures.service("web")));
  const read = store.view((tx) => tx.get("services", web.ID)!);
  await store.update((tx) => tx.update("services", { ...read, Spec: { ...read.Spec, Labels: { a: "1" } } }));
  const error = await failure(
    store.update((tx) => {
      tx.create("services", fixtures.service("other"));
      tx.update("services", { ...read, Spec: { ...read.Spec, Labels: { a: "2" } } });
    }),
  );
  expect(error!.code).toBe("sequence_conflict");
  expect(error!.message).toBe("rpc error: code = Unknown desc = update out of sequence");
  store.view((tx) => {
    expect(tx.getByName("services", "other")).toBeUndefined();
    expect(tx.get("services", web.ID)!.Spec.Labels).toEqual({ a: "1" });
    expect(tx.get("services", web.ID)!.Version.Index).toBe(2);
    expect(tx.get("services", web.ID)!.CreatedAt).toBe(read.CreatedAt);
  });
});

test("updates and deletes of missing objects are refused with not_found", async () => {
  const store = new ClusterStore();
  expect((await failure(store.update((tx) => tx.delete("configs", "nope"))))!.message).toBe("config nope not found");
  expect((await failure(store.update((tx) => tx.create("configs", { ...fixtures.config("c", "x"), ID: "c1" }))))).toBeNull();
  expect((await failure(store.update((tx) => tx.create("configs", { ...fixtures.config("d", "x"), ID: "c1" }))))!.code).toBe("already_exists");
});

test("an update that changes nothing proposes nothing and returns the callback's result", async () => {
  const proposals: Uint8Array[] = [];
  const store = new ClusterStore({ propose: async (data) => void proposals.push(data) });
  expect(await store.update((tx) => tx.find("services").length)).toBe(0);
  expect(proposals.length).toBe(0);
});

test("a transaction too large for one proposal is refused before proposing", async () => {
  const store = new ClusterStore({ maxProposalBytes: 1000 });
  const error = await failure(store.update((tx) => tx.create("configs", fixtures.config("big", "x".repeat(2000)))));
  expect(error!.code).toBe("resource_exhausted");
  expect(store.index).toBe(0);
});

test("a store takes its own table definitions: a new kind of object is one definition", async () => {
  interface Volume {
    ID: string;
    Version: { Index: number };
    CreatedAt: string;
    UpdatedAt: string;
    Spec: { Name: string; Group: string };
  }
  const volumes = defineTable<Volume>()({
    kind: "volume",
    uniqueName: (volume) => volume.Spec.Name,
    indexes: { group: (volume) => [volume.Spec.Group] },
    nameConflictMessage: (name) => `volume ${name} already exists`,
  });
  const store = new ClusterStore({ tables: { volumes } });
  await store.update((tx) => tx.create("volumes", { Spec: { Name: "v1", Group: "g" } }));
  expect(store.view((tx) => tx.find("volumes", { index: "group", key: "g" }).map((v) => v.Spec.Name))).toEqual(["v1"]);
  expect((await failure(store.update((tx) => tx.create("volumes", { Spec: { Name: "V1", Group: "h" } }))))!.message).toBe("volume V1 already exists");
  expect(() => store.view((tx) => tx.find("services" as "volumes"))).toThrow('the cluster store has no table "services"');
});
