import { afterEach, expect, test } from "bun:test";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { MemoryRaftStorage, RaftNode, encodeConfigChange, type RaftWireMessage } from "../raft/index.ts";
import { ClusterStore, type StoreEvent } from "./cluster-store.ts";
import * as fixtures from "./store-fixtures.ts";
import type { SwarmTables } from "./tables/swarm-tables.ts";

const nodes: RaftNode[] = [];
afterEach(() => nodes.splice(0).forEach((node) => node.stop()));

/** Three raft members on a fake clock and an in-memory network, each with its own store as state machine. */
async function cluster(options: { snapshotInterval?: number } = {}) {
  const cut = new Set<string>();
  const clock = new FakeClock(Date.UTC(2026, 10, 25, 12, 0, 0));
  const byId = new Map<string, RaftNode>();
  const stores = new Map<string, ClusterStore>();
  const send = (message: RaftWireMessage) => {
    if (cut.has(message.from) || cut.has(message.to)) return;
    clock.setTimeout(() => byId.get(message.to)?.step(message), 1);
  };
  const ids = ["a", "b", "c"];
  for (const id of ids) {
    const storage = new MemoryRaftStorage();
    await storage.persist({ entries: [{ index: 1, term: 1, kind: "config", data: encodeConfigChange({ type: "reset", voters: ids }) }], hardState: { term: 1, vote: null, commit: 1 } });
    const store = new ClusterStore({ clock });
    const node = await RaftNode.start({ id, storage, clock, tickMs: 10, transport: { send }, stateMachine: store, config: { random: () => 0.5, trailingEntries: 0 }, ...options });
    store.setProposer((data) => node.propose(data));
    byId.set(id, node);
    stores.set(id, store);
    nodes.push(node);
  }
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t++) {
      clock.advance(1);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  byId.get("a")!.campaign();
  await run(50);
  return { byId, stores, run, cut };
}

const label = (event: StoreEvent<SwarmTables>) => (event.kind === "commit" ? "commit" : `${event.kind} ${event.table} ${event.object.ID} v${event.object.Version.Index}`);

test("updates on the leader reach all three stores, and a follower's watcher sees the same events", async () => {
  const { byId, stores, run } = await cluster();
  expect(byId.get("a")!.status().role).toBe("leader");
  const leader = stores.get("a")!;
  const leaderWatch = leader.watch({ kinds: ["create", "update", "delete", "commit"] });
  const followerWatch = stores.get("b")!.watch({ kinds: ["create", "update", "delete", "commit"] });

  const created = leader.update((tx) => {
    const web = tx.create("services", { ...fixtures.service("web", { replicas: 2 }), ID: "s1" });
    tx.create("tasks", { ...fixtures.task(web.ID, 1), ID: "t1" });
    tx.create("secrets", { ...fixtures.secret("pw", "hunter2"), ID: "x1" });
  });
  await run(30);
  await created;
  const scaled = leader.update((tx) => {
    const web = tx.get("services", "s1")!;
    tx.update("services", { ...web, Spec: { ...web.Spec, Mode: { Replicated: { Replicas: 1 } } } });
    tx.delete("tasks", "t1");
  });
  await run(30);
  await scaled;

  const index = leader.index;
  expect(index).toBeGreaterThan(1);
  for (const store of stores.values()) {
    expect(store.index).toBe(index);
    expect(store.view((tx) => tx.get("services", "s1")!.Spec.Mode)).toEqual({ Replicated: { Replicas: 1 } });
    expect(store.view((tx) => tx.find("tasks"))).toEqual([]);
    expect(store.view((tx) => tx.getByName("secrets", "pw")!.Spec.Data)).toBe(Buffer.from("hunter2").toString("base64"));
  }
  expect(Buffer.from(stores.get("c")!.snapshot()).equals(Buffer.from(leader.snapshot()))).toBe(true);

  const read = async (watch: typeof leaderWatch) => {
    const seen: string[] = [];
    for (let i = 0; i < 7; i++) seen.push(label((await watch.next()).value!));
    return seen;
  };
  const leaderSeen = await read(leaderWatch);
  expect(await read(followerWatch)).toEqual(leaderSeen);
  const first = index - 1;
  expect(leaderSeen).toEqual([
    `create services s1 v${first}`,
    `create tasks t1 v${first}`,
    `create secrets x1 v${first}`,
    "commit",
    `update services s1 v${index}`,
    `delete tasks t1 v${first}`,
    "commit",
  ]);
});

test("a follower's store refuses writes with raft's error and stays unchanged", async () => {
  const { stores, run } = await cluster();
  const refused = stores.get("b")!.update((tx) => tx.create("services", fixtures.service("web"))).catch((error: Error) => error);
  await run(5);
  expect(((await refused) as Error).message).toBe("not the raft leader (the leader is a)");
  expect(stores.get("b")!.view((tx) => tx.find("services"))).toEqual([]);
});

test("a member that missed compacted entries gets the store through a raft snapshot, secrets included", async () => {
  const { stores, run, cut } = await cluster({ snapshotInterval: 2 });
  const leader = stores.get("a")!;
  cut.add("c");
  for (let i = 0; i < 4; i++) {
    const done = leader.update((tx) => tx.create("secrets", { ...fixtures.secret(`s${i}`, `data${i}`), ID: `x${i}` }));
    await run(30);
    await done;
  }
  const lagging = stores.get("c")!;
  expect(lagging.view((tx) => tx.find("secrets"))).toEqual([]);
  const watch = lagging.watch({ table: "secrets" });
  let restores = 0;
  const restore = lagging.restore.bind(lagging);
  lagging.restore = (data) => (restores++, restore(data));
  cut.delete("c");
  await run(200);
  expect(restores).toBe(1);
  expect(lagging.index).toBe(leader.index);
  expect(lagging.view((tx) => tx.find("secrets"))).toEqual(leader.view((tx) => tx.find("secrets")));
  expect(lagging.view((tx) => tx.getByName("secrets", "s3")!.Spec.Data)).toBe(Buffer.from("data3").toString("base64"));
  expect((await watch.next()).value).toMatchObject({ kind: "create", table: "secrets", object: { ID: "x0" } });
  watch.close();
});
