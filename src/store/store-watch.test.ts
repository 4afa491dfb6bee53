import { expect, test } from "bun:test";
import type { ShoalError } from "../lib/index.ts";
import { ClusterStore, type StoreEvent } from "./cluster-store.ts";
import * as fixtures from "./store-fixtures.ts";
import type { SwarmTables } from "./tables/swarm-tables.ts";

const label = (event: StoreEvent<SwarmTables> | undefined) => (!event ? "end" : event.kind === "commit" ? `commit ${event.index}` : `${event.kind} ${event.table} ${event.object.ID}`);

test("a watcher sees every change in apply order, with the old object on updates, and a commit after each entry when asked", async () => {
  const store = new ClusterStore();
  const watch = store.watch({ kinds: ["create", "update", "delete", "commit"] });
  await store.update((tx) => {
    tx.create("services", { ...fixtures.service("web"), ID: "s1" });
    tx.create("tasks", { ...fixtures.task("s1", 1), ID: "t1" });
  });
  await store.update((tx) => tx.update("tasks", { ...tx.get("tasks", "t1")!, DesiredState: "shutdown" }));
  await store.update((tx) => tx.delete("tasks", "t1"));
  const seen: StoreEvent<SwarmTables>[] = [];
  for (let i = 0; i < 7; i++) seen.push((await watch.next()).value!);
  expect(seen.map(label)).toEqual(["create services s1", "create tasks t1", "commit 1", "update tasks t1", "commit 2", "delete tasks t1", "commit 3"]);
  const update = seen[3]!;
  if (update.kind !== "update" || update.table !== "tasks") throw new Error("expected a task update");
  expect(update.oldObject.DesiredState).toBe("running");
  expect(update.object.DesiredState).toBe("shutdown");
  expect(update.object.Version.Index).toBe(2);
  const deleted = seen[5]!;
  expect(deleted.kind === "delete" && deleted.object.Version.Index).toBe(2);
  watch.close();
  expect((await watch.next()).done).toBe(true);
});

test("watchers filter by table, kind and predicate; commit events only when asked", async () => {
  const store = new ClusterStore();
  const tasks = store.watch({ table: "tasks" });
  const creates = store.watch({ kinds: ["create"], filter: (event) => event.kind === "create" && event.table === "services" && event.object.Spec.Name.startsWith("w") });
  await store.update((tx) => {
    tx.create("services", { ...fixtures.service("db"), ID: "s0" });
    tx.create("services", { ...fixtures.service("web"), ID: "s1" });
    tx.create("tasks", { ...fixtures.task("s1", 1), ID: "t1" });
  });
  await store.update((tx) => tx.delete("services", "s1"));
  await store.update((tx) => tx.create("tasks", { ...fixtures.task("s0", 1), ID: "t2" }));
  expect(label((await tasks.next()).value)).toBe("create tasks t1");
  expect(label((await tasks.next()).value)).toBe("create tasks t2");
  expect(label((await creates.next()).value)).toBe("create services s1");
  creates.close();
  tasks.close();
  expect(store.watchers).toBe(0);
});

test("a watcher that falls behind is closed with a clear error, and applying goes on for the others", async () => {
  const store = new ClusterStore();
  const slow = store.watch({ queueLimit: 2 });
  const fast = store.watch();
  const fastSeen: string[] = [];
  const reading = (async () => {
    for await (const event of fast) {
      fastSeen.push(label(event));
      if (fastSeen.length === 4) break;
    }
  })();
  for (let i = 0; i < 4; i++) await store.update((tx) => tx.create("configs", { ...fixtures.config(`c${i}`, "x"), ID: `c${i}` }));
  await reading;
  expect(fastSeen).toEqual(["create configs c0", "create configs c1", "create configs c2", "create configs c3"]);
  const error = (await slow.next().catch((failure: ShoalError) => failure)) as ShoalError;
  expect(error.code).toBe("resource_exhausted");
  expect(error.message).toBe("store watch closed: the watcher fell more than 2 events behind; read the store again and watch again");
  expect(slow.error).toBe(error);
  expect(store.watchers).toBe(0);
  expect(store.view((tx) => tx.find("configs").length)).toBe(4);
});

test("viewAndWatch misses nothing between the view and the first event; an aborted signal ends the watch", async () => {
  const store = new ClusterStore();
  await store.update((tx) => tx.create("services", { ...fixtures.service("a"), ID: "s1" }));
  const abort = new AbortController();
  const pending = store.update((tx) => tx.create("services", { ...fixtures.service("b"), ID: "s2" }));
  const [names, watch] = store.viewAndWatch((tx) => tx.find("services").map((s) => s.Spec.Name), { table: "services", signal: abort.signal });
  await pending;
  expect([...names, ...[label((await watch.next()).value)]]).toEqual(["a", "create services s2"]);
  abort.abort();
  expect((await watch.next()).done).toBe(true);
});
