import { expect, test } from "bun:test";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import { ClusterStore } from "../../store/index.ts";
import * as fixtures from "../../store/store-fixtures.ts";
import type { Task } from "../../types/index.ts";
import { ASSIGNED_MESSAGE, DecisionWriter, PREASSIGNED_MESSAGE } from "./decision-writer.ts";
import { reservationOf } from "./task-demand.ts";
import type { PlacementDecision } from "./place-tasks.ts";

const NOW = "2026-11-25T12:00:01.000Z";

async function storeWithTasks(count: number, options: { maxProposalBytes?: number } = {}): Promise<{ store: ClusterStore; tasks: Task[] }> {
  const store = new ClusterStore({ clock: new FakeClock(), ...options });
  const tasks: Task[] = [];
  for (let slot = 1; slot <= count; slot++) tasks.push(await store.update((tx) => tx.create("tasks", fixtures.task("svc", slot, { state: "pending" }))));
  return { store, tasks: store.view((tx) => tx.find("tasks")) };
}

const assign = (task: Task, nodeId: string, preassigned = false): PlacementDecision => ({ kind: "assigned", task, nodeId, reservation: reservationOf(task, []), preassigned });

test("writes placements as assigned with SwarmKit's messages, errors on pending tasks", async () => {
  const { store, tasks } = await storeWithTasks(3);
  const decisions: PlacementDecision[] = [assign(tasks[0]!, "node-a"), assign(tasks[1]!, "node-b", true), { kind: "unplaceable", task: tasks[2]!, reason: "no suitable node (insufficient resources on 1 node)" }];
  const outcome = await new DecisionWriter(store).write(decisions, NOW);
  expect(outcome).toEqual({ written: new Set(tasks.map((task) => task.ID)) });
  const [first, second, third] = tasks.map((task) => store.view((tx) => tx.get("tasks", task.ID))!);
  expect(first!.NodeID).toBe("node-a");
  expect(first!.Status).toEqual({ State: "assigned", Message: ASSIGNED_MESSAGE, Timestamp: NOW });
  expect(second!.Status.Message).toBe(PREASSIGNED_MESSAGE);
  expect(third!.NodeID).toBeUndefined();
  expect(third!.Status).toEqual({ State: "pending", Message: "created", Timestamp: NOW, Err: "no suitable node (insufficient resources on 1 node)" });
});

test("skips a task that changed since the decision and one whose error is already recorded", async () => {
  const { store, tasks } = await storeWithTasks(3);
  await store.update((tx) => tx.update("tasks", { ...tasks[0]!, DesiredState: "shutdown" }));
  const withError = await store.update((tx) => tx.update("tasks", { ...tasks[1]!, Status: { ...tasks[1]!.Status, Err: "no suitable node" } }));
  const stored = store.view((tx) => tx.get("tasks", withError.ID))!;
  const before = store.index;
  const outcome = await new DecisionWriter(store).write([assign(tasks[0]!, "node-a"), { kind: "unplaceable", task: stored, reason: "no suitable node" }, assign(tasks[2]!, "node-a")], NOW);
  expect([...outcome.written]).toEqual([tasks[2]!.ID]);
  expect(store.view((tx) => tx.get("tasks", tasks[0]!.ID))!.NodeID).toBeUndefined();
  expect(store.index).toBe(before + 1);
});

test("one transaction per batch; a transaction too large for a proposal is split", async () => {
  const { store, tasks } = await storeWithTasks(10, { maxProposalBytes: 1500 });
  const commits: number[] = [];
  const watch = store.watch({ table: "tasks", kinds: ["commit"] });
  void (async () => {
    for await (const event of watch) if (event.kind === "commit") commits.push(event.index);
  })();
  const outcome = await new DecisionWriter(store, 8).write(tasks.map((task) => assign(task, "node-a")), NOW);
  expect(outcome.error).toBeUndefined();
  expect(outcome.written.size).toBe(10);
  expect(store.view((tx) => tx.find("tasks", { index: "node", key: "node-a" })).length).toBe(10);
  expect(commits.length).toBeGreaterThan(2);
  watch.close();
});

test("stops at the first refused transaction and says why", async () => {
  const store = new ClusterStore({ clock: new FakeClock() });
  const task = await store.update((tx) => tx.create("tasks", fixtures.task("svc", 1, { state: "pending" })));
  const stored = store.view((tx) => tx.get("tasks", task.ID))!;
  store.setProposer(() => Promise.reject(new Error("not the raft leader")));
  const outcome = await new DecisionWriter(store).write([assign(stored, "node-a")], NOW);
  expect(outcome.written.size).toBe(0);
  expect(outcome.error?.message).toBe("not the raft leader");
});

test("writes nothing more once its signal aborts", async () => {
  const { store, tasks } = await storeWithTasks(4);
  const abort = new AbortController();
  const watch = store.watch({ table: "tasks", kinds: ["commit"] });
  void (async () => {
    for await (const _ of watch) abort.abort();
  })();
  const outcome = await new DecisionWriter(store, 2).write(tasks.map((task) => assign(task, "node-a")), NOW, abort.signal);
  expect(outcome.written.size).toBe(2);
  expect(outcome.error?.code).toBe("cancelled");
  expect(store.view((tx) => tx.find("tasks", { index: "node", key: "node-a" })).length).toBe(2);
  watch.close();
});
