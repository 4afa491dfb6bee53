import { expect, test } from "bun:test";
import { ClusterStore } from "../../store/index.ts";
import * as fixtures from "../../store/store-fixtures.ts";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import { OLD_TASK_TIMEOUT_MS, sleep, waitForSlotToStop, waitForTask } from "./update-waits.ts";

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A store with node n1 (ready), n2 (down), service s1, and the replacement task "new" in slot 1. */
async function slotWith(...others: { id: string; nodeId?: string; state: "new" | "assigned" | "running" | "shutdown" }[]) {
  const clock = new FakeClock();
  const store = new ClusterStore({ clock });
  await store.update((tx) => {
    tx.create("nodes", { ...fixtures.node("n1"), ID: "n1" });
    tx.create("nodes", { ...fixtures.node("n2"), ID: "n2", Status: { State: "down", Addr: "10.0.0.2" } });
    tx.create("services", { ...fixtures.service("web"), ID: "s1" });
    tx.create("tasks", { ...fixtures.task("s1", 2, { nodeId: "n1", state: "running" }), ID: "other-slot" });
    for (const other of others) tx.create("tasks", { ...fixtures.task("s1", 1, { ...(other.nodeId ? { nodeId: other.nodeId } : {}), state: other.state }), ID: other.id, DesiredState: "shutdown" });
    tx.create("tasks", { ...fixtures.task("s1", 1), ID: "new", DesiredState: "ready" });
  });
  const task = store.view((tx) => tx.get("tasks", "new")!);
  const setState = (id: string, state: "shutdown" | "running") => store.update((tx) => tx.update("tasks", { ...tx.get("tasks", id)!, Status: { ...tx.get("tasks", id)!.Status, State: state } }));
  return { clock, store, task, setState };
}

test("a replacement need not wait for tasks that stopped, never got a node, or are on a down node; other slots do not matter", async () => {
  const { clock, store, task } = await slotWith({ id: "stopped", nodeId: "n1", state: "shutdown" }, { id: "unscheduled", state: "new" }, { id: "lost", nodeId: "n2", state: "running" });
  expect(await waitForSlotToStop(store, clock, task, OLD_TASK_TIMEOUT_MS, new AbortController().signal)).toBe(true);
});

test("a replacement waits until the old task of its slot is observed stopped", async () => {
  const { clock, store, task, setState } = await slotWith({ id: "old", nodeId: "n1", state: "running" });
  const seen: { done?: boolean } = {};
  void waitForSlotToStop(store, clock, task, OLD_TASK_TIMEOUT_MS, new AbortController().signal).then((result) => (seen.done = result));
  await setState("other-slot", "shutdown");
  await settle();
  expect(seen.done).toBeUndefined();
  await setState("old", "shutdown");
  await settle();
  expect(seen.done).toBe(true);
});

test("a replacement whose old task's node goes down stops waiting", async () => {
  const { clock, store, task } = await slotWith({ id: "old", nodeId: "n1", state: "running" });
  const seen: { done?: boolean } = {};
  void waitForSlotToStop(store, clock, task, OLD_TASK_TIMEOUT_MS, new AbortController().signal).then((result) => (seen.done = result));
  await settle();
  expect(seen.done).toBeUndefined();
  await store.update((tx) => tx.update("nodes", { ...tx.get("nodes", "n1")!, Status: { State: "down", Addr: "10.0.0.1" } }));
  await settle();
  expect(seen.done).toBe(true);
});

test("a replacement starts anyway after the old-task timeout; an aborted wait answers false", async () => {
  const { clock, store, task } = await slotWith({ id: "old", nodeId: "n1", state: "running" });
  const seen: { done?: boolean } = {};
  void waitForSlotToStop(store, clock, task, OLD_TASK_TIMEOUT_MS, new AbortController().signal).then((result) => (seen.done = result));
  await settle();
  clock.advance(OLD_TASK_TIMEOUT_MS - 1);
  await settle();
  expect(seen.done).toBeUndefined();
  clock.advance(1);
  await settle();
  expect(seen.done).toBe(true);

  const abort = new AbortController();
  const waiting = waitForSlotToStop(store, clock, task, OLD_TASK_TIMEOUT_MS, abort.signal);
  abort.abort();
  expect(await waiting).toBe(false);
  expect(store.watchers).toBe(0);
  expect(clock.pending).toBe(0);
});

test("waitForTask resolves with the task once the condition holds, undefined once it is deleted", async () => {
  const { store, setState } = await slotWith({ id: "old", nodeId: "n1", state: "running" });
  const running = waitForTask(store, "new", (task) => task?.Status.State === "running", new AbortController().signal);
  await setState("new", "running");
  expect((await running)?.ID).toBe("new");
  const gone = waitForTask(store, "old", (task) => task === undefined, new AbortController().signal);
  await store.update((tx) => tx.delete("tasks", "old"));
  expect(await gone).toBeUndefined();
  expect(store.watchers).toBe(0);
});

test("sleep follows the clock and ends early, false, when aborted", async () => {
  const clock = new FakeClock();
  const abort = new AbortController();
  const seen: { slept?: boolean } = {};
  void sleep(clock, 1_000, abort.signal).then((result) => (seen.slept = result));
  clock.advance(999);
  await settle();
  expect(seen.slept).toBeUndefined();
  clock.advance(1);
  await settle();
  expect(seen.slept).toBe(true);
  const cut = sleep(clock, 1_000, abort.signal);
  abort.abort();
  expect(await cut).toBe(false);
  expect(clock.pending).toBe(0);
});
