import { expect, test } from "bun:test";
import { silentLogger } from "../lib/index.ts";
import type { LogEntry } from "../raft/index.ts";
import { ClusterStore } from "../store/index.ts";
import { secret as secretFixture, task as taskFixture } from "../store/store-fixtures.ts";
import type { AssignmentsMessage, Task } from "../types/index.ts";
import { AssignmentRouter } from "./assignment-router.ts";

function setup() {
  const store = new ClusterStore();
  const router = new AssignmentRouter({ store, logger: silentLogger });
  return { store, router };
}

const ids = (message: AssignmentsMessage | undefined) => (message?.updateTasks ?? []).map((task) => task.ID).sort();

async function setDesired(store: ClusterStore, id: string, DesiredState: Task["DesiredState"]): Promise<void> {
  await store.update((tx) => {
    const task = tx.get("tasks", id)!;
    tx.update("tasks", { ...task, DesiredState });
  });
}

test("a node's stream starts with the tasks assigned to it, then carries changes to its own tasks only", async () => {
  const { store, router } = setup();
  const [mine, pending, theirs] = await store.update((tx) => [
    tx.create("tasks", taskFixture("svc", 1, { nodeId: "node-a", state: "assigned" })),
    tx.create("tasks", taskFixture("svc", 2, { nodeId: "node-a", state: "pending" })),
    tx.create("tasks", taskFixture("svc", 3, { nodeId: "node-b", state: "assigned" })),
  ]);
  const stream = router.open("node-a", new AbortController().signal);
  const first = (await stream.next()).value as AssignmentsMessage;
  expect([first.type, ids(first)]).toEqual(["complete", [mine.ID]]);

  await setDesired(store, theirs.ID, "shutdown");
  await setDesired(store, mine.ID, "shutdown");
  const next = (await stream.next()).value as AssignmentsMessage;
  expect([next.type, ids(next), next.updateTasks[0]?.DesiredState]).toEqual(["incremental", [mine.ID], "shutdown"]);
  expect(pending.NodeID).toBe("node-a");
  router.close();
});

test("a stream opened while the router is behind the store sends nothing it already had in its first message", async () => {
  // Entries made on one store and applied on another by hand, several in one go, as raft applies them.
  const entries: LogEntry[] = [];
  const writer: ClusterStore = new ClusterStore({
    propose: async (data) => {
      const entry: LogEntry = { index: entries.length + 1, term: 1, kind: "normal", data };
      entries.push(entry);
      return writer.apply(entry);
    },
  });
  const replica = new ClusterStore();
  const router = new AssignmentRouter({ store: replica, logger: silentLogger });
  let applied = 0;
  const catchUp = () => {
    while (applied < entries.length) replica.apply(entries[applied++]!);
  };
  await router.open("node-z", new AbortController().signal).next(); // the router is watching
  const target = await writer.update((tx) => tx.create("tasks", taskFixture("svc", 1, { nodeId: "node-a", state: "assigned" })));
  await setDesired(writer, target.ID, "shutdown");
  catchUp();
  const stream = router.open("node-a", new AbortController().signal);
  const first = (await stream.next()).value as AssignmentsMessage;
  expect(first.updateTasks.map((task) => task.DesiredState)).toEqual(["shutdown"]);
  // A marker change after everything: nothing may come before it (least of all the task desired running again).
  await setDesired(writer, target.ID, "remove");
  catchUp();
  const seen: string[] = [];
  while (!seen.includes("remove")) seen.push(...((await stream.next()).value as AssignmentsMessage).updateTasks.map((task) => task.DesiredState));
  expect(seen).toEqual(["remove"]);
  router.close();
});

test("a task moved to another node leaves the first node's stream and joins the other's", async () => {
  const { store, router } = setup();
  const task = await store.update((tx) => tx.create("tasks", taskFixture("svc", 1, { nodeId: "node-a", state: "assigned" })));
  const a = router.open("node-a", new AbortController().signal);
  const b = router.open("node-b", new AbortController().signal);
  await a.next();
  await b.next();
  await store.update((tx) => {
    const current = tx.get("tasks", task.ID)!;
    tx.update("tasks", { ...current, NodeID: "node-b" });
  });
  expect(((await a.next()).value as AssignmentsMessage).removeTasks).toEqual([task.ID]);
  expect(ids((await b.next()).value as AssignmentsMessage)).toEqual([task.ID]);
  router.close();
});

test("a secret that changes is sent again to the streams whose tasks use it", async () => {
  const { store, router } = setup();
  const secret = await store.update((tx) => tx.create("secrets", secretFixture("pw", "one")));
  await store.update((tx) => {
    const task = taskFixture("svc", 1, { nodeId: "node-a", state: "assigned" });
    tx.create("tasks", { ...task, Spec: { ContainerSpec: { Image: "busybox", Secrets: [{ SecretID: secret.ID, SecretName: "pw" }] }, ForceUpdate: 0 } });
  });
  const stream = router.open("node-a", new AbortController().signal);
  const first = (await stream.next()).value as AssignmentsMessage;
  expect(first.updateFiles.map((file) => Buffer.from(file.data).toString())).toEqual(["one"]);
  await store.update((tx) => {
    const current = tx.get("secrets", secret.ID)!;
    tx.update("secrets", { ...current, Spec: { ...current.Spec, Data: Buffer.from("two").toString("base64") } });
  });
  const next = (await stream.next()).value as AssignmentsMessage;
  expect(next.updateFiles.map((file) => Buffer.from(file.data).toString())).toEqual(["two"]);
  router.close();
});

test("a stream ends when its caller goes, and every stream ends when the router closes", async () => {
  const { router } = setup();
  const gone = new AbortController();
  const a = router.open("node-a", gone.signal);
  const b = router.open("node-b", new AbortController().signal);
  await a.next();
  await b.next();
  gone.abort();
  expect((await a.next()).done).toBe(true);
  router.close();
  expect((await b.next()).done).toBe(true);
});
