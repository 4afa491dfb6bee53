import { expect, test } from "bun:test";
import { ClusterStore, type Propose } from "../../store/index.ts";
import * as fixtures from "../../store/store-fixtures.ts";
import { rollBackSpec, shutDownTasks, startTask, writeWithRetry } from "./update-writes.ts";

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

test("a write that lost the race to another manager's write is tried again on the newer object", async () => {
  // Two managers' stores fed by one log whose entries are released by hand.
  const stores = [new ClusterStore(), new ClusterStore()] as const;
  const queued: (() => void)[] = [];
  let index = 0;
  const proposer = (own: ClusterStore): Propose => (data) =>
    new Promise((resolve) =>
      queued.push(() => {
        const entry = { index: ++index, term: 1, kind: "normal" as const, data };
        for (const store of stores) if (store !== own) store.apply(entry);
        resolve(own.apply(entry));
      }),
    );
  stores[0].setProposer(proposer(stores[0]));
  stores[1].setProposer(proposer(stores[1]));
  const [mine, theirs] = stores;
  const created = mine.update((tx) => tx.create("services", { ...fixtures.service("web"), ID: "s1" }));
  await settle();
  queued.shift()!();
  await created;

  let attempts = 0;
  const retried = writeWithRetry(mine, (tx) => {
    attempts++;
    const service = tx.get("services", "s1")!;
    tx.update("services", { ...service, Spec: { ...service.Spec, Labels: { ...service.Spec.Labels, mine: "yes" } } });
  });
  const other = theirs.update((tx) => {
    const service = tx.get("services", "s1")!;
    tx.update("services", { ...service, Spec: { ...service.Spec, Labels: { ...service.Spec.Labels, theirs: "yes" } } });
  });
  await settle();
  queued.splice(1, 1)[0]!(); // their write lands first
  await other;
  queued.shift()!(); // mine is refused: update out of sequence
  await settle();
  queued.shift()!(); // and tried again
  await retried;
  expect(attempts).toBe(2);
  expect(mine.view((tx) => tx.get("services", "s1")!.Spec.Labels)).toEqual({ theirs: "yes", mine: "yes" });
});

test("shutDownTasks leaves alone tasks already told to stop, the task to keep and tasks gone; startTask only moves a task not yet told to run", async () => {
  const store = new ClusterStore();
  await store.update((tx) => {
    tx.create("tasks", { ...fixtures.task("s1", 1, { state: "running" }), ID: "old" });
    tx.create("tasks", { ...fixtures.task("s1", 1, { state: "running" }), ID: "stopping", DesiredState: "shutdown" });
    tx.create("tasks", { ...fixtures.task("s1", 1), ID: "keep", DesiredState: "ready" });
  });
  const slot = store.view((tx) => tx.find("tasks"));
  const changed = await store.update((tx) => shutDownTasks(tx, [...slot, { ...slot[0]!, ID: "gone" }], "keep"));
  expect(changed).toEqual(["old"]);
  expect(await store.update((tx) => startTask(tx, "keep"))).toBe(true);
  expect(await store.update((tx) => startTask(tx, "keep"))).toBe(false);
  expect(await store.update((tx) => startTask(tx, "stopping"))).toBe(false);
  expect(store.view((tx) => tx.find("tasks").map((task) => `${task.ID} ${task.DesiredState}`))).toEqual(["keep running", "old shutdown", "stopping shutdown"]);
});

test("rollBackSpec puts the previous spec back and keeps none; without a previous spec it writes nothing", async () => {
  const store = new ClusterStore();
  const v1 = fixtures.service("web", { image: "app:v1" }).Spec;
  const v2 = fixtures.service("web", { image: "app:v2" }).Spec;
  const status = { State: "rollback_started" as const, Message: "update rolled back due to failure or early termination of task t1" };
  await store.update((tx) => tx.create("services", { ...fixtures.service("web"), ID: "s1", Spec: v2, PreviousSpec: v1 }));
  expect(await store.update((tx) => rollBackSpec(tx, tx.get("services", "s1")!, status))).toBe(true);
  const service = store.view((tx) => tx.get("services", "s1")!);
  expect(service.Spec).toEqual(v1);
  expect("PreviousSpec" in service).toBe(false);
  expect(service.UpdateStatus).toEqual(status);
  expect(await store.update((tx) => rollBackSpec(tx, tx.get("services", "s1")!, status))).toBe(false);
  expect(store.view((tx) => tx.get("services", "s1")!.Version.Index)).toBe(service.Version.Index);
});
