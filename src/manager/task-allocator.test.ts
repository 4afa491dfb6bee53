import { expect, test } from "bun:test";
import { silentLogger, sleep, systemClock } from "../lib/index.ts";
import { ClusterStore } from "../store/index.ts";
import { service, task } from "../store/store-fixtures.ts";
import { PENDING_MESSAGE, TaskAllocator } from "./task-allocator.ts";

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !condition(); i++) await sleep(systemClock, 20);
  expect(condition()).toBe(true);
}

test("new tasks, present at start or made later, move to pending; others are left alone", async () => {
  const store = new ClusterStore({ clock: systemClock, logger: silentLogger });
  const svc = await store.update((tx) => tx.create("services", service("web")));
  const early = await store.update((tx) => tx.create("tasks", task(svc.ID, 1)));
  const running = await store.update((tx) => tx.create("tasks", task(svc.ID, 2, { state: "running" })));
  const allocator = new TaskAllocator({ store, logger: silentLogger });
  allocator.start();
  const state = (id: string) => store.view((tx) => tx.get("tasks", id))?.Status;
  await until(() => state(early.ID)?.State === "pending");
  expect(state(early.ID)?.Message).toBe(PENDING_MESSAGE);
  const late = await store.update((tx) => tx.create("tasks", task(svc.ID, 3)));
  await until(() => state(late.ID)?.State === "pending");
  expect(state(running.ID)?.State).toBe("running");
  await allocator.stop();
  const after = await store.update((tx) => tx.create("tasks", task(svc.ID, 4)));
  await sleep(systemClock, 100);
  expect(state(after.ID)?.State).toBe("new");
  store.close();
});
