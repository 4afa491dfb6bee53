import { expect, test } from "bun:test";
import { ShoalError, silentLogger } from "../lib/index.ts";
import { ClusterStore } from "../store/index.ts";
import { task as taskFixture } from "../store/store-fixtures.ts";
import type { TaskStatus } from "../types/index.ts";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { STATUS_BATCH_MS, TaskStatusWriter } from "./task-status-writer.ts";

/** A store whose writes apply at once, or fail while `failing` is set (as when raft leadership is lost). */
function setup() {
  const clock = new FakeClock();
  let index = 0;
  const control = { failing: false };
  const store: ClusterStore = new ClusterStore({
    clock,
    propose: async (data) => {
      if (control.failing) throw new ShoalError("unavailable", "raft leadership was lost before the proposal was applied");
      return store.apply({ index: ++index, term: 1, kind: "normal", data });
    },
  });
  const writer = new TaskStatusWriter({ store, clock, logger: silentLogger });
  return { clock, store, writer, control };
}

const running: TaskStatus = { Timestamp: "2026-11-28T00:00:00.000Z", State: "running", Message: "started" };
const outcome = (promise: Promise<void>) => promise.then(() => "written", (error: ShoalError) => `${error.code}: ${error.message}`);

test("reports of a node are written together after the batch interval, and the call resolves once they are", async () => {
  const { clock, store, writer } = setup();
  const [a, b] = await store.update((tx) => [
    tx.create("tasks", taskFixture("svc", 1, { nodeId: "node-a", state: "assigned" })),
    tx.create("tasks", taskFixture("svc", 2, { nodeId: "node-a", state: "assigned" })),
  ]);
  const first = writer.report("node-a", [{ taskId: a.ID, status: running }]);
  const second = writer.report("node-a", [{ taskId: b.ID, status: running }]);
  const indexBefore = store.index;
  clock.advance(STATUS_BATCH_MS);
  expect([await outcome(first), await outcome(second)]).toEqual(["written", "written"]);
  expect(store.index).toBe(indexBefore + 1);
  expect(store.view((tx) => [tx.get("tasks", a.ID)!.Status.State, tx.get("tasks", b.ID)!.Status.State])).toEqual(["running", "running"]);
});

test("a batch that cannot be written fails its calls, so that the agents report again; the next batch is written", async () => {
  const { clock, store, writer, control } = setup();
  const task = await store.update((tx) => tx.create("tasks", taskFixture("svc", 1, { nodeId: "node-a", state: "assigned" })));
  control.failing = true;
  const lost = writer.report("node-a", [{ taskId: task.ID, status: running }]);
  clock.advance(STATUS_BATCH_MS);
  expect(await outcome(lost)).toStartWith("unavailable: the task status reports could not be written; report them again");
  expect(store.view((tx) => tx.get("tasks", task.ID)!.Status.State)).toBe("assigned");
  control.failing = false;
  const again = writer.report("node-a", [{ taskId: task.ID, status: running }]);
  clock.advance(STATUS_BATCH_MS);
  expect(await outcome(again)).toBe("written");
  expect(store.view((tx) => tx.get("tasks", task.ID)!.Status.State)).toBe("running");
});

test("a stopped writer fails the reports it held and every later one", async () => {
  const { store, writer } = setup();
  const task = await store.update((tx) => tx.create("tasks", taskFixture("svc", 1, { nodeId: "node-a", state: "assigned" })));
  const held = writer.report("node-a", [{ taskId: task.ID, status: running }]);
  writer.stop();
  expect(await outcome(held)).toStartWith("unavailable: this manager no longer writes task status reports");
  expect(await outcome(writer.report("node-a", [{ taskId: task.ID, status: running }]))).toStartWith("unavailable:");
  expect(store.view((tx) => tx.get("tasks", task.ID)!.Status.State)).toBe("assigned");
});
